namespace AsyncServer.Messaging;

/// <summary>Retention: what the message database forgets, in bounded transactions.</summary>
public interface IMessageRetention
{
    /// <summary>
    /// Deletes sessions created before <paramref name="before"/> that are finished everywhere (no pending target, not
    /// Started), their targets, and moved status messages created before it, a batch per transaction (see
    /// <see cref="PurgeBatchAsync"/>). With <paramref name="whatIf"/> it only reports what it would delete. Unmoved
    /// messages are left to <see cref="PurgeUnmovedStatusMessagesAsync"/>.
    /// </summary>
    Task<PurgeResult> PurgeAsync(DateTimeOffset before, bool whatIf, CancellationToken cancellationToken);

    /// <summary>
    /// One bounded step of <see cref="PurgeAsync"/>, in its own transaction: at most <paramref name="batchSize"/> sessions
    /// (oldest first) and at most as many moved messages. Call again until it returns nothing.
    /// </summary>
    Task<PurgeResult> PurgeBatchAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes status messages never moved to HQ that were created before <paramref name="before"/>, at most
    /// <paramref name="batchSize"/> per transaction, so an outbox nobody empties stays bounded. Returns how many went.
    /// </summary>
    Task<int> PurgeUnmovedStatusMessagesAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken);
}
