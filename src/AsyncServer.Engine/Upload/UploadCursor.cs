using AsyncServer.Messaging;

namespace AsyncServer.Upload;

/// <summary>
/// Where a store's next package starts, per subjob (pure; docs/upload.md). From the counter HQ acknowledged, the
/// store's own sessions that are still on their way (Uploaded, Applied) extend the cursor when they continue it
/// without a hole; a failed or canceled session breaks the chain, so its rows are sent again rather than lost.
/// </summary>
public static class UploadCursor
{
    public static long StartAfter(string subjob, long acknowledged, IEnumerable<UploadSessionRecord> storeSessionsOldestFirst)
    {
        var cursor = acknowledged;
        foreach (var session in storeSessionsOldestFirst)
        {
            if (session.Status is not (UploadStatus.Uploaded or UploadStatus.Applied)) continue;
            var range = session.Tables.FirstOrDefault(t => string.Equals(t.Subjob, subjob, StringComparison.OrdinalIgnoreCase));
            if (range is null) continue;
            if (range.FromCounter > cursor)
            {
                // A hole: an Applied session after it would have moved the acknowledged counter, so the chain stops here.
                if (session.Status == UploadStatus.Applied) continue;
                break;
            }
            cursor = Math.Max(cursor, range.ToCounter);
        }
        return cursor;
    }

    /// <summary>Every subjob's cursor for a store's job, from HQ's acknowledged counters and the store's sessions in the message database.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> ReadAsync(IUploadLedger store, string partition, string channelDatabase, string jobId,
        IReadOnlyList<string> subjobs, CancellationToken ct)
    {
        var acknowledged = await store.AcknowledgedCountersAsync(partition, channelDatabase, jobId, ct).ConfigureAwait(false);
        var sessions = await store.StoreUploadsAsync(partition, channelDatabase, jobId, ct).ConfigureAwait(false);
        return subjobs.Distinct(StringComparer.OrdinalIgnoreCase)
            .ToDictionary(s => s, s => StartAfter(s, acknowledged.GetValueOrDefault(s), sessions), StringComparer.OrdinalIgnoreCase);
    }
}
