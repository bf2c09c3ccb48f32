namespace AsyncServer.Messaging;

/// <summary>The status messages every status change writes, waiting to be moved to the HQ status tables.</summary>
public interface IStatusMessageOutbox
{
    /// <summary>The oldest status messages not yet moved to HQ, in id order.</summary>
    Task<IReadOnlyList<StatusMessageRecord>> GetUnmovedStatusMessagesAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Marks status messages as moved to HQ (idempotent).</summary>
    Task MarkStatusMessagesMovedAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken);
}
