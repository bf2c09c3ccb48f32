using AsyncServer.Messaging;
using AsyncServer.Providers.SqlServer;

namespace AsyncServer.Tests.SqlServer;

/// <summary>The SQL of the channel side and session lifecycle (message schema 2) and of the HQ status tables, checked like the rest.</summary>
public sealed class SqlServerClientSqlTests
{
    private static void Clean(string sql) => SqlServerSqlTests.AssertClean(sql);

    [Fact]
    public void Built_lifecycle_statements_are_clean_and_bind_what_the_store_binds()
    {
        Clean(SqlServerMessageStoreSql.PendingSessions(TargetStatuses.Pending.Count));
        Assert.Equal(new[] { "@db" }.Concat(Enumerable.Range(0, TargetStatuses.Pending.Count).Select(i => $"@st{i}")).Order(StringComparer.OrdinalIgnoreCase),
            TSqlChecker.Check(SqlServerMessageStoreSql.PendingSessions(TargetStatuses.Pending.Count)).Parameters.Order(StringComparer.OrdinalIgnoreCase));

        var all = SqlServerMessageStoreSql.SelectTargets(new(3, true, true, true, true, true, true));
        Clean(all);
        Assert.Equal(new[] { "@from0", "@from1", "@from2", "@db", "@id", "@after", "@before", "@job", "@group" }.Order(StringComparer.OrdinalIgnoreCase),
            TSqlChecker.Check(all).Parameters.Order(StringComparer.OrdinalIgnoreCase));
        Clean(SqlServerMessageStoreSql.SelectTargets(new(1, false, false, false, false, false, false)));
        foreach (var tries in Enum.GetValues<TriesChange>()) Clean(SqlServerMessageStoreSql.UpdateTarget(tries));
        Clean(SqlServerMessageStoreSql.UpdateSessionStatus(2));
        Clean(SqlServerMessageStoreSql.MarkMoved(1));
        Clean(SqlServerMessageStoreSql.MarkMoved(SqlServerMessageStoreSql.TargetBatch));
        Clean(SqlServerMessageStoreSql.ExpiredSessions(TargetStatuses.Pending.Count));
        Clean(SqlServerMessageStoreSql.DeleteSessions(3));
        Assert.Equal(3, SqlServerMessageStoreSql.Migrations.Count);
        Assert.Equal(MessageSchema.CurrentVersion, SqlServerMessageStoreSql.Migrations.Count);
    }
}
