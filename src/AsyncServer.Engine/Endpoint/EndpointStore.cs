using System.Data.Common;
using System.Data;
using System.Globalization;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging.Sql;
using AsyncServer.Messaging;

namespace AsyncServer.Endpoint;

/// <summary>
/// The endpoint's own operations on the message database (schema 3): channel credentials, last contacts, and
/// a store's report of a stage, each in one transaction. Written once over DbConnection; the per-provider
/// differences are the SQL texts of <see cref="EndpointSql"/>. Connections open through the providers' own
/// opening code, so they behave (timeouts, errors without passwords) like the message stores'.
/// </summary>
public sealed partial class EndpointStore
{
    /// <summary>Two credentials may be active at once, so a store can switch to a new secret before the old one is revoked.</summary>
    public const int MaxActiveCredentials = 2;

    private readonly ResolvedConnection _connection;
    private readonly EndpointSql _sql;
    private readonly TimeProvider _time;
    private readonly SqlConnector _connector;

    /// <param name="connector">The message database's connector, from its provider object (EngineContext.OpenEndpointStore).</param>
    public EndpointStore(ResolvedConnection connection, SqlConnector connector, TimeProvider? time = null)
    {
        _connection = connection;
        _connector = connector;
        _sql = EndpointSql.For(connection.Provider);
        _time = time ?? TimeProvider.System;
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private Task<DbConnection> OpenAsync(CancellationToken ct) => _connector.OpenAsync(create: false, ct);

    /// <summary>The provider's transaction (SQLite: BEGIN IMMEDIATE, one writer at a time; the others lock rows: FOR UPDATE, UPDLOCK).</summary>
    private Task<DbTransaction> BeginAsync(DbConnection conn, CancellationToken ct) => _connector.BeginAsync(conn, ct);

    /// <summary>Times as each provider stores them: SQLite fixed-width UTC text, the others UTC date-times.</summary>
    private object? Time(DateTimeOffset? value) => value switch
    {
        null => null,
        { } v when _connection.Provider == DatabaseProvider.Sqlite => StoreTime.ToText(v),
        { } v when _connection.Provider == DatabaseProvider.PostgreSql => v.ToUniversalTime(),
        { } v => v.UtcDateTime,
    };

    private static DateTimeOffset? ReadTime(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetValue(i) switch
    {
        string s => StoreTime.FromText(s),
        DateTimeOffset d => d.ToUniversalTime(),
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        var other => throw new InvalidDataException($"Unexpected time value of type {other.GetType().Name}."),
    };

    private static DbCommand Command(DbConnection conn, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    private static async Task<int> ExecuteAsync(DbConnection conn, DbTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] parameters)
    {
        await using var cmd = Command(conn, tx, sql, parameters);
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(
        DbConnection conn, DbTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] parameters)
    {
        await using var cmd = Command(conn, tx, sql, parameters);
        var v = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return v is DBNull ? null : v;
    }

    // ---- credentials ----

    /// <summary>
    /// Creates a credential for <paramref name="channelDatabase"/> (already checked against the configuration).
    /// Refused with CredentialLimit when two are active: revoke the older one first, so a rotation never
    /// silently locks out a store that still uses it.
    /// </summary>
    public async Task<NewChannelCredential> CreateCredentialAsync(string channelDatabase, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        var now = Now;
        if (expiresAt is { } e && e <= now)
            throw new AsyncServerException(ErrorIds.CredentialInvalid, ErrorKind.InvalidArgument, $"The expiry {e:u} is not in the future.", channelDatabase);
        var secret = ChannelSecrets.NewSecret();
        var salt = ChannelSecrets.NewSalt();
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await BeginAsync(conn, ct).ConfigureAwait(false);
        await LockCredentialsAsync(conn, tx, channelDatabase, ct).ConfigureAwait(false);
        var active = Convert.ToInt32(
            await ScalarAsync(conn, tx, _sql.CountActiveCredentials, ct, ("@db", channelDatabase), ("@now", Time(now))).ConfigureAwait(false),
            CultureInfo.InvariantCulture);
        if (active >= MaxActiveCredentials)
            throw new AsyncServerException(ErrorIds.CredentialLimit, ErrorKind.InvalidOperation,
                $"Channel database {channelDatabase} already has {active} active credentials (at most {MaxActiveCredentials}); " +
                "revoke the older one with Revoke-AsyncChannelCredential first.", channelDatabase);
        var id = Convert.ToInt64(await ScalarAsync(conn, tx, _sql.InsertCredential, ct,
            ("@db", channelDatabase), ("@salt", salt), ("@hash", ChannelSecrets.Hash(salt, secret)), ("@now", Time(now)), ("@expires", Time(expiresAt)))
            .ConfigureAwait(false), CultureInfo.InvariantCulture);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return new NewChannelCredential(id, channelDatabase, secret, now, expiresAt);
    }

    /// <summary>Held until the transaction ends: the count and the insert of one creation are never interleaved with another's.</summary>
    private async Task LockCredentialsAsync(DbConnection conn, DbTransaction tx, string channelDatabase, CancellationToken ct)
    {
        var result = await ScalarAsync(conn, tx, _sql.LockCredentials, ct, ("@lock", "asyncserver:credentials:" + channelDatabase.ToUpperInvariant()),
            ("@lockMode", "Exclusive"), ("@lockOwner", "Transaction"), ("@lockTimeout", 30_000)).ConfigureAwait(false);
        if (result is int code && code < 0)
            throw new AsyncServerException(ErrorIds.WorkClaimedElsewhere, ErrorKind.ResourceBusy,
                $"Channel database {channelDatabase}: another credential is being created for it and did not finish within 30 seconds; try again.",
                channelDatabase);
    }

    public async Task<IReadOnlyList<ChannelCredentialInfo>> GetCredentialsAsync(string? channelDatabase, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = channelDatabase is null
            ? Command(conn, null, _sql.ListCredentials)
            : Command(conn, null, _sql.ListCredentialsOf, ("@db", channelDatabase));
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<ChannelCredentialInfo>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            list.Add(new ChannelCredentialInfo(r.GetInt64(0), r.GetString(1), ReadTime(r, 2)!.Value, ReadTime(r, 3), ReadTime(r, 4), ReadTime(r, 5),
                ReadTime(r, 6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8)));
        return list;
    }

    /// <summary>Revokes one credential (by id) or every credential of the channel database; returns how many. Takes effect on the next request.</summary>
    public async Task<int> RevokeCredentialsAsync(string channelDatabase, long? credentialId, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        return credentialId is { } id
            ? await ExecuteAsync(conn, null, _sql.RevokeOne, ct, ("@now", Time(Now)), ("@db", channelDatabase), ("@id", id)).ConfigureAwait(false)
            : await ExecuteAsync(conn, null, _sql.RevokeAll, ct, ("@now", Time(Now)), ("@db", channelDatabase)).ConfigureAwait(false);
    }

    private static string? Truncate(string? text, int max) => text is null ? null : text.Length <= max ? text : text[..max];

    // ---- reports ----

    /// <summary>The lease a receiving client holds on its channel database; the same resource as the direct client's.</summary>
    public static string ReceiveLease(string partition, string channelDatabase) => $"receive/{partition}/{channelDatabase}";

    /// <summary>
    /// A store reports a stage of one session, in one transaction: the target is locked, the caller must hold the
    /// channel database's receive lease (so two clients of one channel database cannot both apply), the state machine
    /// decides, and the change, its status message and (for a failure) the suspension of later sessions are written together.
    /// </summary>
    /// <param name="tryCount">The configuration's tryCount (0 = no limit): a target that failed this often is not requested again.</param>
    public async Task<ReportOutcome> ReportAsync(string partition, string channelDatabase, long sessionId, ReportStage stage, string? message,
        string leaseOwner, int tryCount, CancellationToken ct)
    {
        var now = Now;
        var to = TargetStateMachine.StatusOf(stage);
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await BeginAsync(conn, ct).ConfigureAwait(false);
        SessionStatus current;
        int tries;
        await using (var cmd = Command(conn, tx, _sql.LockTarget, ("@s", sessionId), ("@db", channelDatabase)))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            if (!await r.ReadAsync(ct).ConfigureAwait(false)) return new ReportOutcome(ReportOutcomeKind.NotFound, null);
            current = Enum.Parse<SessionStatus>(r.GetString(0));
            tries = Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture);
        }
        var owner = await ScalarAsync(conn, tx, _sql.LiveLeaseOwner, ct, ("@r", ReceiveLease(partition, channelDatabase))).ConfigureAwait(false) as string;
        if (!string.Equals(owner, leaseOwner, StringComparison.Ordinal))
            return new ReportOutcome(ReportOutcomeKind.NotLeaseHolder, current,
                owner is null
                    ? "the client holds no receive lease on its channel database (it expired or was never taken)"
                    : "another client holds the receive lease on this channel database");
        var givenUp = TargetStatuses.Failed.Contains(current) && tryCount > 0 && tries >= tryCount;
        switch (TargetStateMachine.Decide(current, stage, givenUp))
        {
            case TargetStateMachine.Decision.AlreadyThere:
                return new ReportOutcome(ReportOutcomeKind.Unchanged, current);
            case TargetStateMachine.Decision.Refuse:
                return new ReportOutcome(ReportOutcomeKind.Refused, current,
                    givenUp ? $"it failed {tries} time(s), the configuration's tryCount; Restart-AsyncSession or Stop-AsyncSession releases it" : null);
        }
        var failed = stage is ReportStage.DownloadFailed or ReportStage.ApplyFailed;
        var text = Truncate(message, 2000) ?? $"{stage} (reported over the endpoint).";
        await ExecuteAsync(conn, tx, _sql.UpdateTarget, ct, ("@to", to.ToString()), ("@inc", failed ? 1 : 0), ("@now", Time(now)), ("@m", text),
            ("@s", sessionId), ("@db", channelDatabase)).ConfigureAwait(false);
        await ExecuteAsync(conn, tx, _sql.InsertStatusMessage, ct,
            ("@s", sessionId), ("@db", channelDatabase), ("@to", to.ToString()), ("@m", text), ("@now", Time(now))).ConfigureAwait(false);
        if (failed)
        {
            var why = $"Blocked behind session {sessionId} ({to}): {text}";
            var p = TargetStateMachine.SuspendedBehindFailure;
            (string, object?)[] parameters = [
                ("@susp", nameof(SessionStatus.Suspended)), ("@m", Truncate(why, 2000)), ("@now", Time(now)), ("@db", channelDatabase), ("@s", sessionId),
                ("@p0", p[0].ToString()), ("@p1", p[1].ToString()), ("@p2", p[2].ToString())];
            await ExecuteAsync(conn, tx, _sql.LogSuspendLater, ct, parameters).ConfigureAwait(false);
            await ExecuteAsync(conn, tx, _sql.SuspendLater, ct, parameters).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return new ReportOutcome(ReportOutcomeKind.Changed, to);
    }
}
