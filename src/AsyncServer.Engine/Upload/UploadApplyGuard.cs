using System.Data.Common;
using System.Globalization;
using AsyncServer.Client;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;

namespace AsyncServer.Upload;

/// <summary>What HQ's counters say about a package before its rows are written.</summary>
internal enum UploadVerdict { Apply, AlreadyApplied, Held }

/// <summary>Thrown by the guard to roll the apply back when the package must not be applied now (not an error).</summary>
internal sealed class UploadNotAppliedException(UploadVerdict verdict, string message) : Exception(message)
{
    public UploadVerdict Verdict => verdict;
}

/// <summary>
/// Runs inside HQ's apply transaction (docs/upload.md, correctness rule 9): reads the store's counters (locked), decides
/// whether the package is new, already applied, held behind a gap, or a counter regression, and advances the counters
/// in the same transaction as the rows. Only tables that carry rows take part.
/// </summary>
internal sealed class UploadApplyGuard(HqCounterSql sql, UploadSessionRecord session) : IApplyGuard
{
    private readonly Dictionary<string, long> _advance = new(StringComparer.OrdinalIgnoreCase);

    public Func<string, CancellationToken, Task>? Checkpoint { get; init; }

    public async Task BeforeApplyAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var duplicate = 0;
        var tables = session.Tables.Where(t => t.RowCount > 0).ToList();
        foreach (var t in tables)
        {
            var (mark, markSession) = await ReadAsync(connection, transaction, t.Subjob, cancellationToken).ConfigureAwait(false);
            if (t.FromCounter > mark)
                throw new UploadNotAppliedException(UploadVerdict.Held,
                    $"Held: {t.Subjob} starts after counter {t.FromCounter}, but HQ holds up to {mark} from {session.ChannelDatabase}; " +
                    $"waiting for the package with counters {mark + 1}..{t.FromCounter} (an earlier session not applied yet).");
            if (t.ToCounter < mark && session.Id > markSession)
                throw new AsyncServerException(ErrorIds.CounterRegression, ErrorKind.InvalidData,
                    $"Counter regression: session {session.Id} of {session.ChannelDatabase} carries {t.Subjob} only up to counter {t.ToCounter}, " +
                    $"but HQ already holds up to {mark} from the earlier session {markSession}. Was the store restored from a backup? " +
                    "Nothing was applied and nothing at HQ was overwritten.", session.Id);
            if (t.ToCounter <= mark) duplicate++;
            else _advance[t.Subjob] = t.ToCounter;
        }
        if (duplicate == tables.Count)
            throw new UploadNotAppliedException(UploadVerdict.AlreadyApplied, "Already applied at HQ: nothing changed.");
    }

    public async Task BeforeCommitAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        foreach (var (subjob, counter) in _advance)
        {
            await using var cmd = Command(connection, transaction, sql.Upsert, subjob);
            cmd.Parameters.Add(Parameter(cmd, "@counter", counter));
            cmd.Parameters.Add(Parameter(cmd, "@session", session.Id));
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await UploadCheckpoints.PassAsync(Checkpoint, UploadCheckpoints.ApplyInTransaction, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(long Counter, long Session)> ReadAsync(DbConnection connection, DbTransaction transaction, string subjob, CancellationToken ct)
    {
        await using var cmd = Command(connection, transaction, sql.Read, subjob);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return (0, 0);
        return (Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
    }

    private DbCommand Command(DbConnection connection, DbTransaction transaction, string text, string subjob)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = text;
        cmd.Parameters.Add(Parameter(cmd, "@p", session.Partition));
        cmd.Parameters.Add(Parameter(cmd, "@c", session.ChannelDatabase));
        cmd.Parameters.Add(Parameter(cmd, "@j", session.JobId));
        cmd.Parameters.Add(Parameter(cmd, "@s", subjob));
        return cmd;
    }

    private static DbParameter Parameter(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        return p;
    }
}
