using AsyncServer.Data;
using AsyncServer.Messaging;
using AsyncServer.Providers.Sqlite;
using AsyncServer.Samples;
using AsyncServer.Tests.Support;
using AsyncServer.Upload;

namespace AsyncServer.Tests.Upload;

/// <summary>Store and HQ steps of upload on a sample workspace (real SQLite files, the real engine).</summary>
internal static class UploadSupport
{
    public static ResolvedConnection Store(Workspace ws, string store)
    {
        var (_, db) = ws.Config.FindChannelDatabase(store)!.Value;
        return ResolvedConnection.Resolve(db.Connection, "test", ws.Config.BaseDirectory, null);
    }

    public static async Task<IReadOnlyList<string>> SellAsync(Workspace ws, string store, int count, int seed = 1)
    {
        var connection = Store(ws, store);
        await SampleSales.CreateTablesAsync(connection, channel: true, default);
        var area = ws.Config.FindChannelDatabase(store)!.Value.Database.Parameters["DataAreaId"];
        return await SampleSales.SellAsync(connection, store, area, count, seed, default);
    }

    public static Task<IReadOnlyList<UploadRunResult>> SendAsync(Workspace ws, string store)
        => new UploadSender(ws.Context(), FolderUploadTransport.Of(ws.Config)).SendAsync(store, null, default);

    public static Task<IReadOnlyList<UploadApplyResult>> ApplyAsync(Workspace ws)
        => new UploadApplier(ws.Context()).ApplyAsync(null, null, plan: false, default);

    public static async Task<IReadOnlyList<UploadSessionRecord>> UploadsAsync(Workspace ws)
    {
        await using var store = ws.Context().OpenMessageStore();
        return (await store.QueryUploadsAsync(new UploadQuery(), default)).OrderBy(s => s.Id).ToList();
    }

    public static async Task<long> HqCountAsync(Workspace ws, string table, string? store = null)
        => Convert.ToInt64(await ws.HqScalarAsync($"SELECT COUNT(*) FROM {table}" + (store is null ? "" : $" WHERE STORE = '{store}'")));

    public static async Task<long> StoreCountAsync(Workspace ws, string store, string table)
    {
        await using var conn = await SqliteConnections.OpenAsync(Store(ws, store), false, default);
        return Convert.ToInt64(await SqliteConnections.ScalarAsync(conn, $"SELECT COUNT(*) FROM {table}", default));
    }

    public static async Task StoreExecuteAsync(Workspace ws, string store, string sql)
    {
        await using var conn = await SqliteConnections.OpenAsync(Store(ws, store), false, default);
        await SqliteConnections.ExecuteAsync(conn, sql, default);
    }
}
