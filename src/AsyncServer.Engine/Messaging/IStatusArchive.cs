namespace AsyncServer.Messaging;

/// <summary>
/// The status tables in the HQ database that Move-AsyncStatusMessage fills, so operators see transfer
/// history where they work (docs/client.md, "Status tables in HQ"). One implementation per HQ provider.
/// Writing is idempotent: a message already there (same id) is not written twice, so an interrupted move
/// can simply run again.
/// </summary>
public interface IStatusArchive : IAsyncDisposable
{
    /// <summary>Creates the status tables if they do not exist.</summary>
    Task EnsureCreatedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes a batch in one transaction: each message into the message table keyed by its id (existing ids are
    /// skipped), and the latest status of each session and channel database into the session status table.
    /// Returns how many messages were new.
    /// </summary>
    Task<int> WriteAsync(IReadOnlyList<StatusMessageRecord> messages, CancellationToken cancellationToken);
}
