using System.Reflection;
using AsyncServer.Data;
using AsyncServer.Messaging;
using AsyncServer.Messaging.Sql;
using AsyncServer.Providers.Sqlite;
using AsyncServer.Tests.Support;
using Microsoft.Data.Sqlite;

namespace AsyncServer.Tests.Sqlite;

/// <summary>
/// Every SQL text of the SQLite message store compiles against the schema its migrations create (SQLite prepares
/// each statement: syntax, tables and columns), as the SQL Server texts are parsed by ScriptDom.
/// </summary>
public sealed class SqliteMessageStoreSqlTests : IDisposable
{
    private readonly TempFolder _folder = new("sqlitesql");

    public void Dispose() => _folder.Dispose();

    private static IEnumerable<(string Name, string Sql)> Texts(MessageStoreSql sql)
    {
        foreach (var property in sql.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.PropertyType == typeof(string)))
            if (property.GetValue(sql) is string text && text.Contains(' ')) yield return (property.Name, text);
        foreach (var last in new[] { false, true })
            yield return ("QuerySessions", sql.QuerySessions(new(2, 1, 1, 2, 1, last, true, true, true) { NewestFirst = last, AfterId = last }));
        yield return ("TargetsOf", sql.TargetsOf(3, onlyChannelDatabase: true));
        yield return ("SelectTargets", sql.SelectTargets(new(2, true, true, true, true, true, true)));
        foreach (var tries in Enum.GetValues<TriesChange>()) yield return ("UpdateTarget", sql.UpdateTarget(tries));
        yield return ("UpdateSessionStatus", sql.UpdateSessionStatus(2));
        yield return ("PendingSessions", sql.PendingSessions(TargetStatuses.Pending.Count));
        yield return ("ChannelDatabasesWithPendingTargets", sql.ChannelDatabasesWithPendingTargets(2));
        yield return ("MarkMoved", sql.MarkMoved(2));
        yield return ("ExpiredSessions", sql.ExpiredSessions(TargetStatuses.Pending.Count));
        yield return ("DeleteSessions", sql.DeleteSessions(2));
        foreach (var property in typeof(UploadStoreSql).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.PropertyType == typeof(string)))
            if (property.GetValue(sql.Uploads) is string text && text.Contains(' ')) yield return ("Uploads." + property.Name, text);
        yield return ("QueryUploads", sql.Uploads.QueryUploads(true, true, true, true));
    }

    [Fact]
    public async Task Every_message_store_text_compiles_against_the_migrated_schema()
    {
        var db = ResolvedConnection.FromString(DatabaseProvider.Sqlite, $"Data Source={_folder.File("texts.db")}");
        await using (var store = ProviderFactory.CreateMessageStore(db)) await store.InitializeAsync(default);
        await using var conn = await SqliteConnections.OpenAsync(db, create: false, default);
        var texts = Texts(SqliteMessageStoreSql.Instance).ToList();
        Assert.True(texts.Count >= 35, $"only {texts.Count} texts found");
        foreach (var (name, text) in texts.Where(t => t.Name != nameof(MessageStoreSql.Migrations)))
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = text;
            var error = Record.Exception(() => cmd.Prepare());
            Assert.True(error is null, $"{name}: {error?.Message}{Environment.NewLine}{text}");
        }
    }
}
