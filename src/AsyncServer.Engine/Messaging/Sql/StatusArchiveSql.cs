namespace AsyncServer.Messaging.Sql;

/// <summary>
/// The SQL texts of the HQ status tables (ASYNCSTATUSMESSAGE, one row per message; ASYNCSESSIONSTATUS, the latest status
/// per session and channel database), one subclass per provider, used by <see cref="SqlStatusArchive"/>. Message
/// parameters: @id, @s, @p, @j, @g, @c (channel database, '' for the session itself), @st, @m, @at (created, UTC) and @moved.
/// </summary>
public abstract class StatusArchiveSql
{
    /// <summary>Runs before <see cref="Create"/> in its transaction, where concurrent creation must be serialized.</summary>
    public virtual string? LockCreate => null;

    /// <summary>Creates the tables that are missing.</summary>
    public abstract string Create { get; }

    /// <summary>The parameters of <see cref="Create"/>.</summary>
    public virtual IEnumerable<(string Name, object? Value)> CreateParameters => [];

    /// <summary>Writes a message unless its id is there already (a repeated move); affects one row when it was new.</summary>
    public abstract string InsertMessage { get; }

    /// <summary>The latest message of a (session, channel database) wins, whatever order batches arrive in.</summary>
    public abstract string UpsertSessionStatus { get; }

    /// <summary>Writes a batch in the caller's transaction; returns how many messages were new. The default runs two statements a message.</summary>
    public virtual async Task<int> WriteAsync(SqlWork work, IReadOnlyList<StatusMessageRecord> messages, DateTimeOffset moved)
    {
        var inserted = 0;
        await using var insert = work.Command(InsertMessage);
        await using var upsert = work.Command(UpsertSessionStatus);
        foreach (var m in messages)
        {
            (string, object?)[] values =
            [
                ("@id", m.Id), ("@s", m.SessionId), ("@p", m.Partition), ("@j", m.JobId), ("@g", m.DataGroup), ("@c", m.ChannelDatabase ?? ""),
                ("@st", m.Status.ToString()), ("@m", m.Message), ("@at", m.CreatedAt.UtcDateTime), ("@moved", moved.UtcDateTime),
            ];
            inserted += await work.RunAsync(insert, values).ConfigureAwait(false);
            await work.RunAsync(upsert, values).ConfigureAwait(false);
        }
        return inserted;
    }
}
