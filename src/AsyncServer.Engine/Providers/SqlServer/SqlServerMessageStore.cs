using System.Data;
using System.Security.Cryptography;
using System.Text;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using Microsoft.Data.SqlClient;
using S = AsyncServer.Providers.SqlServer.SqlServerMessageStoreSql;

namespace AsyncServer.Providers.SqlServer;

/// <summary>
/// The message database on SQL Server, with the tables and behaviour of the SQLite store. Many instances may share
/// it: every read-decide-write runs in one transaction that first takes an exclusive, transaction-owned application
/// lock on the lease (or schema) it concerns, and reads the rows it will change WITH (UPDLOCK, HOLDLOCK), so two
/// instances can never both take a lease or both advance a row version. Times are the injected clock's UTC time,
/// stored as datetime2(7).
/// </summary>
public sealed partial class SqlServerMessageStore : IMessageStore
{
    private readonly ResolvedConnection _connection;
    private readonly TimeProvider _time;

    public SqlServerMessageStore(ResolvedConnection connection, TimeProvider? time = null)
    {
        _connection = connection;
        _time = time ?? TimeProvider.System;
    }

    public string Provider => "sqlserver";

    /// <summary>UTC now, as the naive DateTime stored in datetime2 columns.</summary>
    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    private static DateTimeOffset FromStore(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private Task<SqlConnection> OpenAsync(CancellationToken ct) => SqlServerConnections.OpenAsync(_connection, ct);

    private static async Task<SqlTransaction> BeginAsync(SqlConnection conn, CancellationToken ct)
        => (SqlTransaction)await conn.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct).ConfigureAwait(false);

    /// <summary>How long a caller waits for another instance's lock on the same lease or schema before giving up.</summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(60);

    /// <summary>The application lock of a resource; hashed so any resource name fits sp_getapplock's 255 characters.</summary>
    internal static string AppLockName(string resource)
        => "asyncserver:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(resource))).ToLowerInvariant();

    private async Task LockAsync(SqlConnection conn, SqlTransaction tx, string resource, CancellationToken ct)
    {
        var result = Convert.ToInt32(await SqlServerConnections.ScalarAsync(conn, S.GetAppLock, ct, tx,
            ("@lockResource", AppLockName(resource)), ("@lockMode", "Exclusive"), ("@lockOwner", "Transaction"),
            ("@lockTimeout", (int)LockWait.TotalMilliseconds)).ConfigureAwait(false));
        if (result < 0)
            throw new AsyncServerException(ErrorIds.WorkClaimedElsewhere, ErrorKind.ResourceBusy,
                $"Message database {_connection.Display}: could not lock '{resource}' within {LockWait.TotalSeconds:0} seconds (sp_getapplock returned {result}); another instance holds it.", resource);
    }

    public async Task<MessageDatabaseInfo> InitializeAsync(CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await BeginAsync(conn, cancellationToken).ConfigureAwait(false);
        await LockAsync(conn, tx, "schema", cancellationToken).ConfigureAwait(false);
        var previous = await ReadVersionAsync(conn, tx, cancellationToken).ConfigureAwait(false);
        if (previous > MessageSchema.CurrentVersion) throw MessageSchema.TooNew(previous, _connection.Display);
        if (S.Migrations.Count < MessageSchema.CurrentVersion)
            throw new InvalidOperationException($"The SQL Server message store has {S.Migrations.Count} migrations for schema version {MessageSchema.CurrentVersion}.");
        for (var v = previous; v < MessageSchema.CurrentVersion; v++)
            await SqlServerConnections.ExecuteAsync(conn, S.Migrations[v], cancellationToken, tx).ConfigureAwait(false);
        await SqlServerConnections.ExecuteAsync(conn, S.WriteSchemaVersion, cancellationToken, tx,
            ("@version", MessageSchema.CurrentVersion), ("@now", Now)).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new MessageDatabaseInfo(Provider, _connection.Display, MessageSchema.CurrentVersion, previous, previous == 0);
    }

    private static async Task<int> ReadVersionAsync(SqlConnection conn, SqlTransaction? tx, CancellationToken ct)
    {
        var exists = Convert.ToInt32(await SqlServerConnections.ScalarAsync(conn, S.TableExists, ct, tx, ("@table", S.SchemaInfoTable)).ConfigureAwait(false));
        if (exists == 0) return 0;
        var v = await SqlServerConnections.ScalarAsync(conn, S.ReadSchemaVersion, ct, tx).ConfigureAwait(false);
        return v is null ? 0 : Convert.ToInt32(v);
    }


    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var version = await ReadVersionAsync(conn, null, cancellationToken).ConfigureAwait(false);
        MessageSchema.EnsureCurrent(version, _connection.Display);
    }

    public async Task<long?> GetRowVersionAsync(string partition, string dataGroup, string jobId, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var v = await SqlServerConnections.ScalarAsync(conn, S.GetRowVersion, cancellationToken, null, ("@p", partition), ("@g", dataGroup), ("@j", jobId)).ConfigureAwait(false);
        return v is null ? null : Convert.ToInt64(v);
    }

    public async Task<LeaseResult> TryAcquireLeaseAsync(string resource, string owner, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await BeginAsync(conn, cancellationToken).ConfigureAwait(false);
        await LockAsync(conn, tx, "lease:" + resource, cancellationToken).ConfigureAwait(false);
        var now = Now;
        string? holder = null;
        DateTime? expires = null;
        await using (var cmd = SqlServerConnections.Command(conn, S.ReadLease, tx, ("@r", resource)))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                holder = reader.GetString(0);
                expires = reader.GetDateTime(1);
            }
        }
        LeaseResult result;
        if (holder is null)
        {
            await SqlServerConnections.ExecuteAsync(conn, S.InsertLease, cancellationToken, tx, ("@r", resource), ("@o", owner), ("@now", now), ("@exp", now + ttl)).ConfigureAwait(false);
            result = new LeaseResult(true, owner, FromStore(now + ttl));
        }
        else if (string.Equals(holder, owner, StringComparison.Ordinal) || expires < now)
        {
            await SqlServerConnections.ExecuteAsync(conn, S.TakeLease, cancellationToken, tx, ("@r", resource), ("@o", owner), ("@now", now), ("@exp", now + ttl)).ConfigureAwait(false);
            result = new LeaseResult(true, owner, FromStore(now + ttl));
        }
        else result = new LeaseResult(false, holder, FromStore(expires!.Value));
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    public async Task<bool> RenewLeaseAsync(string resource, string owner, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await SqlServerConnections.ExecuteAsync(conn, S.RenewLease, cancellationToken, null, ("@exp", Now + ttl), ("@r", resource), ("@o", owner)).ConfigureAwait(false) == 1;
    }

    public async Task ReleaseLeaseAsync(string resource, string owner, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await SqlServerConnections.ExecuteAsync(conn, S.ReleaseLease, cancellationToken, null, ("@r", resource), ("@o", owner)).ConfigureAwait(false);
    }

    public async Task<long> CreateStartedSessionAsync(NewSession session, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await BeginAsync(conn, cancellationToken).ConfigureAwait(false);
        var id = await InsertSessionAsync(conn, tx, session, SessionStatus.Started, null, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return id;
    }

    private async Task<long> InsertSessionAsync(SqlConnection conn, SqlTransaction tx, NewSession s, SessionStatus status, string? message, CancellationToken ct)
    {
        var now = Now;
        var id = Convert.ToInt64(await SqlServerConnections.ScalarAsync(conn, S.InsertSession, ct, tx,
            ("@p", s.Partition), ("@j", s.JobId), ("@g", s.DataGroup), ("@k", s.Kind.ToString()), ("@d", s.DeleteExisting),
            ("@why", s.FullSyncReason), ("@from", s.FromVersion), ("@to", s.ToVersion), ("@part", s.Part), ("@status", status.ToString()),
            ("@req", string.Join(",", s.RequestedChannelDatabases)), ("@inst", s.InstanceId), ("@now", now),
            ("@fin", status == SessionStatus.Started ? null : now), ("@msg", message)).ConfigureAwait(false));
        await AddStatusMessageAsync(conn, tx, id, null, status, message, ct).ConfigureAwait(false);
        return id;
    }

    private async Task AddStatusMessageAsync(SqlConnection conn, SqlTransaction tx, long sessionId, string? channelDatabase, SessionStatus status, string? message, CancellationToken ct)
        => await SqlServerConnections.ExecuteAsync(conn, S.InsertStatusMessage, ct, tx,
            ("@s", sessionId), ("@c", channelDatabase), ("@st", status.ToString()), ("@m", message), ("@now", Now)).ConfigureAwait(false);

    public async Task<IReadOnlyList<long>> CompleteRunAsync(RunCompletion c, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await BeginAsync(conn, cancellationToken).ConfigureAwait(false);
        // Fencing: the same lock TryAcquireLeaseAsync takes, so no instance can take the lease over while we record;
        // then only the live lease holder may record, and only if nobody advanced the row version meanwhile.
        await LockAsync(conn, tx, "lease:" + c.LeaseResource, cancellationToken).ConfigureAwait(false);
        var holder = (string?)await SqlServerConnections.ScalarAsync(conn, S.LiveLeaseOwner, cancellationToken, tx, ("@r", c.LeaseResource), ("@now", Now)).ConfigureAwait(false);
        if (!string.Equals(holder, c.Owner, StringComparison.Ordinal))
            throw Conflict($"the lease on {c.LeaseResource} is no longer held by {c.Owner}" + (holder is null ? "" : $" (now {holder})"));
        var current = await SqlServerConnections.ScalarAsync(conn, S.GetRowVersionLocked, cancellationToken, tx, ("@p", c.Partition), ("@g", c.DataGroup), ("@j", c.JobId)).ConfigureAwait(false);
        var currentVersion = current is null ? (long?)null : Convert.ToInt64(current);
        if (currentVersion != c.ExpectedRowVersion)
            throw Conflict($"the row version of ({c.DataGroup}, {c.JobId}) moved from {c.ExpectedRowVersion?.ToString() ?? "none"} to {currentVersion}");

        var ids = new List<long>();
        foreach (var p in c.Packages)
        {
            var status = p.Staged ? SessionStatus.Started : SessionStatus.Available;
            var message = p.Staged ? "Staged: run Publish-AsyncPackage to make it available." : null;
            var changed = await SqlServerConnections.ExecuteAsync(conn, S.RecordPackage, cancellationToken, tx,
                ("@st", status.ToString()), ("@rows", p.RowCount), ("@file", p.PackageFile), ("@size", p.PackageSize), ("@sha", p.PackageSha256),
                ("@staged", p.Staged), ("@now", Now), ("@msg", message), ("@id", p.SessionId), ("@started", SessionStatus.Started.ToString())).ConfigureAwait(false);
            if (changed != 1)
                throw new AsyncServerException(ErrorIds.SessionCanceled, ErrorKind.OperationStopped,
                    $"Session {p.SessionId} is no longer being created (it was canceled); nothing of this run was recorded.", p.SessionId);
            if (!p.Staged)
            {
                await AddStatusMessageAsync(conn, tx, p.SessionId, null, status, message, cancellationToken).ConfigureAwait(false);
                await InsertTargetsAsync(conn, tx, p.SessionId, c.ChannelDatabases, cancellationToken).ConfigureAwait(false);
            }
            ids.Add(p.SessionId);
        }
        if (c.NoDataSession is not null)
            ids.Add(await InsertSessionAsync(conn, tx, c.NoDataSession, SessionStatus.NoData, "No changes since the last distribution.", cancellationToken).ConfigureAwait(false));

        if (c.NewRowVersion is { } newVersion)
            await SqlServerConnections.ExecuteAsync(conn, S.WriteRowVersion, cancellationToken, tx,
                ("@p", c.Partition), ("@g", c.DataGroup), ("@j", c.JobId), ("@v", newVersion), ("@s", ids.Count == 0 ? null : ids[^1]), ("@now", Now)).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ids;
    }

    private async Task InsertTargetsAsync(SqlConnection conn, SqlTransaction tx, long sessionId, IReadOnlyList<string> channelDatabases, CancellationToken ct)
    {
        foreach (var db in channelDatabases)
        {
            await SqlServerConnections.ExecuteAsync(conn, S.InsertTarget, ct, tx,
                ("@s", sessionId), ("@c", db), ("@st", SessionStatus.Available.ToString()), ("@now", Now)).ConfigureAwait(false);
            await AddStatusMessageAsync(conn, tx, sessionId, db, SessionStatus.Available, null, ct).ConfigureAwait(false);
            // The channel database has joined this (data group, job): it is not seeded again.
            await SqlServerConnections.ExecuteAsync(conn, S.JoinChannelDatabase, ct, tx, ("@s", sessionId), ("@c", db), ("@now", Now)).ConfigureAwait(false);
        }
    }

    private static AsyncServerException Conflict(string why) => new(ErrorIds.ConcurrentRun, ErrorKind.ResourceBusy,
        $"Another instance distributed this work first: {why}. Nothing was recorded by this run.", why);

    public async Task FailSessionsAsync(IReadOnlyList<long> sessionIds, SessionStatus status, string message, CancellationToken cancellationToken)
    {
        if (sessionIds.Count == 0) return;
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await BeginAsync(conn, cancellationToken).ConfigureAwait(false);
        foreach (var id in sessionIds)
        {
            var changed = await SqlServerConnections.ExecuteAsync(conn, S.FailSession, cancellationToken, tx,
                ("@st", status.ToString()), ("@now", Now), ("@m", message), ("@id", id), ("@started", SessionStatus.Started.ToString())).ConfigureAwait(false);
            if (changed == 1) await AddStatusMessageAsync(conn, tx, id, null, status, message, cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DownloadSessionRecord>> GetUnfinishedSessionsAsync(string partition, string dataGroup, string jobId, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadSessionsAsync(conn, S.UnfinishedSessions,
            [("@p", partition), ("@g", dataGroup), ("@j", jobId), ("@started", SessionStatus.Started.ToString())], cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DownloadSessionRecord>> QuerySessionsAsync(SessionQuery q, CancellationToken cancellationToken)
    {
        var parameters = new List<(string, object?)>();
        void List<T>(string prefix, IReadOnlyList<T>? values, Func<T, object> map)
        {
            for (var i = 0; i < (values?.Count ?? 0); i++) parameters.Add(($"@{prefix}{i}", map(values![i])));
        }
        List("id", q.Ids, v => v);
        List("job", q.JobIds, v => v);
        List("grp", q.DataGroups, v => v);
        List("st", q.Statuses, v => v.ToString());
        var hideNoData = (q.Statuses is null || q.Statuses.Count == 0) && !q.IncludeNoData && q.Ids is null;
        if (hideNoData) parameters.Add(("@noData", SessionStatus.NoData.ToString()));
        List("cdb", q.ChannelDatabases, v => v);
        if (q.CreatedAfter is { } after) parameters.Add(("@after", after.UtcDateTime));
        if (q.CreatedBefore is { } before) parameters.Add(("@before", before.UtcDateTime));
        if (q.Limit is { } limit) parameters.Add(("@limit", Math.Max(0, limit)));
        var sql = S.QuerySessions(new S.SessionQueryShape(q.Ids?.Count ?? 0, q.JobIds?.Count ?? 0, q.DataGroups?.Count ?? 0, q.Statuses?.Count ?? 0,
            q.ChannelDatabases?.Count ?? 0, hideNoData, q.CreatedAfter is not null, q.CreatedBefore is not null, q.Limit is not null));
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadSessionsAsync(conn, sql, parameters, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<DownloadSessionRecord>> ReadSessionsAsync(SqlConnection conn, string sql, IReadOnlyList<(string, object?)> parameters, CancellationToken ct)
    {
        var sessions = new List<DownloadSessionRecord>();
        await using (var cmd = SqlServerConnections.Command(conn, sql, null, [.. parameters]))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                sessions.Add(SessionRecordReader.Read(r, (reader, i) => FromStore(reader.GetDateTime(i))));
            }
        }
        if (sessions.Count == 0) return sessions;
        var targets = new Dictionary<long, List<SessionTargetRecord>>();
        foreach (var chunk in sessions.Select(s => s.Id).Chunk(S.TargetBatch))
        {
            await using var cmd = SqlServerConnections.Command(conn, S.TargetsOf(chunk.Length), null,
                chunk.Select((id, i) => ($"@t{i}", (object?)id)).ToArray());
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var t = new SessionTargetRecord(r.GetInt64(0), r.GetString(1), Enum.Parse<SessionStatus>(r.GetString(2)), r.GetInt32(3),
                    FromStore(r.GetDateTime(4)), r.IsDBNull(5) ? null : r.GetString(5));
                if (!targets.TryGetValue(t.SessionId, out var list)) targets[t.SessionId] = list = [];
                list.Add(t);
            }
        }
        return sessions.Select(s => targets.TryGetValue(s.Id, out var list) ? s with { Targets = list } : s).ToList();
    }

    public async Task PublishStagedSessionAsync(long sessionId, string packageFile, IReadOnlyList<string> channelDatabases, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await BeginAsync(conn, cancellationToken).ConfigureAwait(false);
        var changed = await SqlServerConnections.ExecuteAsync(conn, S.PublishStaged, cancellationToken, tx,
            ("@file", packageFile), ("@now", Now), ("@id", sessionId), ("@available", SessionStatus.Available.ToString()), ("@started", SessionStatus.Started.ToString())).ConfigureAwait(false);
        if (changed != 1)
            throw new AsyncServerException(ErrorIds.SessionStateInvalid, ErrorKind.InvalidOperation,
                $"Session {sessionId} is not a staged session waiting to be published.", sessionId);
        await AddStatusMessageAsync(conn, tx, sessionId, null, SessionStatus.Available, null, cancellationToken).ConfigureAwait(false);
        await InsertTargetsAsync(conn, tx, sessionId, channelDatabases, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
