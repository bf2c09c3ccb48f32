using System.Data.Common;
using AsyncServer.Messaging.Sql;

namespace AsyncServer.Endpoint;

/// <summary>
/// Authentication: a secret checked against the channel database's credentials on every request, alone or with the
/// read the request needs in the same round trip, and the last contact written at most every <see cref="ContactRefresh"/>.
/// </summary>
public sealed partial class EndpointStore
{
    /// <summary>
    /// How often a channel database's last contact (and its credential's last use) is written: at most once per this
    /// interval, so a store polling every few seconds costs one read per request, not a write transaction. The times
    /// Get-AsyncChannelCredential shows may be this much older than the latest request.
    /// </summary>
    public static readonly TimeSpan ContactRefresh = TimeSpan.FromSeconds(30);

    private static bool Stale(DateTimeOffset? at, DateTimeOffset now) => at is not { } t || now - t >= ContactRefresh;

    /// <summary>
    /// Checks <paramref name="secret"/> against the unrevoked, unexpired credentials of the channel database and,
    /// when one matches, records the use and the contact in one transaction if the recorded ones are older than
    /// <see cref="ContactRefresh"/>. Returns the credential id, or null.
    /// </summary>
    public async Task<long?> AuthenticateAsync(string channelDatabase, string secret, ChannelContact contact, CancellationToken ct)
    {
        var now = Now;
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        var matched = await MatchCredentialAsync(conn, channelDatabase, secret, now, ct).ConfigureAwait(false);
        if (matched is null) return null;
        await TouchIfStaleAsync(conn, channelDatabase, contact, matched, now, ct).ConfigureAwait(false);
        return matched.Id;
    }

    /// <summary>
    /// Authenticates as <see cref="AuthenticateAsync"/> does and, only when the secret matches, returns the rows of
    /// <paramref name="then"/>: a store's poll is one round trip where the provider batches statements (PostgreSQL, SQL
    /// Server), and one connection where it does not (SQLite, which runs it after the check). Null for a refused secret;
    /// a batch read the rows too, and they are dropped here unread.
    /// </summary>
    public async Task<IReadOnlyList<T>?> AuthenticateAndReadAsync<T>(
        string channelDatabase, string secret, ChannelContact contact, SqlRead<T> then, CancellationToken ct)
    {
        var now = Now;
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        var (matched, rows) = conn.CanCreateBatch
            ? await ReadBatchedAsync(conn, channelDatabase, secret, then, now, ct).ConfigureAwait(false)
            : await ReadAfterCheckAsync(conn, channelDatabase, secret, then, now, ct).ConfigureAwait(false);
        if (matched is null) return null;
        await TouchIfStaleAsync(conn, channelDatabase, contact, matched, now, ct).ConfigureAwait(false);
        return rows;
    }

    private sealed record CredentialMatch(long Id, DateTimeOffset? Used, DateTimeOffset? Contact);

    private async Task<(CredentialMatch?, List<T>?)> ReadBatchedAsync<T>(
        DbConnection conn, string channelDatabase, string secret, SqlRead<T> then, DateTimeOffset now, CancellationToken ct)
    {
        await using var batch = conn.CreateBatch();
        batch.BatchCommands.Add(BatchCommand(batch, _sql.UnrevokedCredentials, [("@db", channelDatabase)]));
        batch.BatchCommands.Add(BatchCommand(batch, then.Sql, then.Parameters));
        await using var r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var matched = await MatchAsync(r, secret, now, ct).ConfigureAwait(false);
        if (matched is null) return (null, null);
        if (!await r.NextResultAsync(ct).ConfigureAwait(false))
            throw new InvalidDataException("The message database returned no result for the second statement of a batch.");
        return (matched, await ReadAllAsync(r, then.Map, ct).ConfigureAwait(false));
    }

    private async Task<(CredentialMatch?, List<T>?)> ReadAfterCheckAsync<T>(
        DbConnection conn, string channelDatabase, string secret, SqlRead<T> then, DateTimeOffset now, CancellationToken ct)
    {
        var matched = await MatchCredentialAsync(conn, channelDatabase, secret, now, ct).ConfigureAwait(false);
        if (matched is null) return (null, null);
        // The message store's own way of running a read (its connector's parameters and command timeout).
        return (matched, await new SqlWork(_connector, conn, null, ct).ReadAsync(then.Sql, then.Map, then.Parameters).ConfigureAwait(false));
    }

    private DbBatchCommand BatchCommand(DbBatch batch, string sql, IEnumerable<(string Name, object? Value)> parameters)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.Add(_connector.Parameter(name, value));
        return command;
    }

    private static async Task<List<T>> ReadAllAsync<T>(DbDataReader r, Func<DbDataReader, T> map, CancellationToken ct)
    {
        var rows = new List<T>();
        while (await r.ReadAsync(ct).ConfigureAwait(false)) rows.Add(map(r));
        return rows;
    }

    private async Task<CredentialMatch?> MatchCredentialAsync(
        DbConnection conn, string channelDatabase, string secret, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = Command(conn, null, _sql.UnrevokedCredentials, ("@db", channelDatabase));
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await MatchAsync(r, secret, now, ct).ConfigureAwait(false);
    }

    /// <summary>The credential the secret matches among the rows of <see cref="EndpointSql.UnrevokedCredentials"/>, if it has not expired.</summary>
    private static async Task<CredentialMatch?> MatchAsync(DbDataReader r, string secret, DateTimeOffset now, CancellationToken ct)
    {
        CredentialMatch? matched = null;
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            var expires = ReadTime(r, 3);
            // Every row is checked (no early exit), so the time taken does not say which one matched.
            var matches = ChannelSecrets.Matches(r.GetString(1), r.GetString(2), secret);
            if (matches && (expires is null || expires > now)) matched ??= new CredentialMatch(r.GetInt64(0), ReadTime(r, 4), ReadTime(r, 5));
        }
        return matched;
    }

    /// <summary>Records the credential's use and the channel database's contact, unless both were recorded within <see cref="ContactRefresh"/>.</summary>
    private async Task TouchIfStaleAsync(
        DbConnection conn, string channelDatabase, ChannelContact contact, CredentialMatch m, DateTimeOffset now, CancellationToken ct)
    {
        if (!Stale(m.Used, now) && !Stale(m.Contact, now)) return;
        await using var tx = await BeginAsync(conn, ct).ConfigureAwait(false);
        await ExecuteAsync(conn, tx, _sql.TouchCredential, ct, ("@now", Time(now)), ("@id", m.Id)).ConfigureAwait(false);
        await ExecuteAsync(conn, tx, _sql.RecordContact, ct, ("@db", channelDatabase), ("@now", Time(now)),
            ("@version", Truncate(contact.ClientVersion, 100)), ("@address", Truncate(contact.RemoteAddress, 100)), ("@id", m.Id)).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Records a contact authenticated another way (a client certificate), at most every <see cref="ContactRefresh"/>;
    /// no credential is touched.
    /// </summary>
    public async Task RecordContactAsync(string channelDatabase, ChannelContact contact, CancellationToken ct)
    {
        var now = Now;
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using (var cmd = Command(conn, null, _sql.ContactAt, ("@db", channelDatabase)))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            if (await r.ReadAsync(ct).ConfigureAwait(false) && !Stale(ReadTime(r, 0), now)) return;
        await using var tx = await BeginAsync(conn, ct).ConfigureAwait(false);
        await ExecuteAsync(conn, tx, _sql.RecordContact, ct, ("@db", channelDatabase), ("@now", Time(now)),
            ("@version", Truncate(contact.ClientVersion, 100)), ("@address", Truncate(contact.RemoteAddress, 100)), ("@id", null)).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }
}
