namespace AsyncServer.Messaging;

/// <summary>
/// A lease held for one run of work (a receive, a send, an apply), renewed in the background: <see cref="Token"/> is canceled
/// when the work must stop, <see cref="Lost"/> says it was because the lease was lost (the error is then WorkClaimedElsewhere);
/// disposing stops the renewal and gives the lease back. <see cref="LeaseKeeper"/> holds one in the message database,
/// <c>Endpoint/EndpointLeaseClaim</c> one of the HTTPS endpoint.
/// </summary>
public interface ILeaseClaim : IAsyncDisposable
{
    CancellationToken Token { get; }
    bool Lost { get; }
}
