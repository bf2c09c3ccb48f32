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
        Clean(SqlServerMessageStoreSql.Instance.PendingSessions(TargetStatuses.Pending.Count));
        Assert.Equal(new[] { "@db" }.Concat(Enumerable.Range(0, TargetStatuses.Pending.Count).Select(i => $"@st{i}")).Order(StringComparer.OrdinalIgnoreCase),
            TSqlChecker.Check(SqlServerMessageStoreSql.Instance.PendingSessions(TargetStatuses.Pending.Count)).Parameters.Order(StringComparer.OrdinalIgnoreCase));

        var all = SqlServerMessageStoreSql.Instance.SelectTargets(new(3, true, true, true, true, true, true));
        Clean(all);
        Assert.Equal(new[] { "@from0", "@from1", "@from2", "@db", "@id", "@after", "@before", "@job", "@group" }.Order(StringComparer.OrdinalIgnoreCase),
            TSqlChecker.Check(all).Parameters.Order(StringComparer.OrdinalIgnoreCase));
        Clean(SqlServerMessageStoreSql.Instance.SelectTargets(new(1, false, false, false, false, false, false)));
        foreach (var tries in Enum.GetValues<TriesChange>()) Clean(SqlServerMessageStoreSql.Instance.UpdateTarget(tries));
        Clean(SqlServerMessageStoreSql.Instance.UpdateSessionStatus(2));
        Clean(SqlServerMessageStoreSql.Instance.MarkMoved(1));
        Clean(SqlServerMessageStoreSql.Instance.MarkMoved(SqlServerMessageStoreSql.TargetBatch));
        Clean(SqlServerMessageStoreSql.Instance.ExpiredSessions(TargetStatuses.Pending.Count));
        Clean(SqlServerMessageStoreSql.Instance.DeleteSessions(3));
        Assert.Equal(4, SqlServerMessageStoreSql.Instance.Migrations.Count);
        Assert.Equal(MessageSchema.CurrentVersion, SqlServerMessageStoreSql.Instance.Migrations.Count);
    }

    private static IReadOnlySet<string> Parameters(string sql) => TSqlChecker.Check(sql).Parameters;

    [Fact]
    public void Lease_statements_take_the_time_from_the_server_never_from_the_instance()
    {
        // Issue 12, point 9: no statement that decides or sets a lease's expiry binds a time of the caller's clock.
        var sql = SqlServerMessageStoreSql.Instance;
        foreach (var text in new[] { sql.ClaimLease, sql.RenewLease, sql.LiveLeaseOwner })
        {
            Clean(text);
            Assert.DoesNotContain("@now", Parameters(text), StringComparer.OrdinalIgnoreCase);
            Assert.Contains("SYSUTCDATETIME", text, StringComparison.Ordinal);
        }
        Assert.Equal(new[] { "@o", "@r", "@ttl" }, Parameters(sql.ClaimLease).Order(StringComparer.OrdinalIgnoreCase));
        Assert.Equal(new[] { "@o", "@r", "@ttl" }, Parameters(sql.RenewLease).Order(StringComparer.OrdinalIgnoreCase));
        Assert.Equal(["@r"], Parameters(sql.LiveLeaseOwner));
    }

    [Fact]
    public void Paged_queries_bounded_purges_and_retirement_are_clean_and_bind_what_the_store_binds()
    {
        var sql = SqlServerMessageStoreSql.Instance;
        foreach (var newestFirst in new[] { false, true })
        {
            var page = sql.QuerySessions(new(0, 0, 0, 0, 1, true, false, false, true) { NewestFirst = newestFirst, AfterId = true });
            Clean(page);
            Assert.Equal(new[] { "@afterId", "@cdb0", "@limit", "@noData" }.Order(StringComparer.OrdinalIgnoreCase), Parameters(page).Order(StringComparer.OrdinalIgnoreCase));
            Assert.Contains(newestFirst ? "[s].[id] < @afterId" : "[s].[id] > @afterId", page, StringComparison.Ordinal);
        }
        var only = sql.TargetsOf(3, onlyChannelDatabase: true);
        Clean(only);
        Assert.Equal(new[] { "@only", "@t0", "@t1", "@t2" }.Order(StringComparer.OrdinalIgnoreCase), Parameters(only).Order(StringComparer.OrdinalIgnoreCase));
        var expired = sql.ExpiredSessions(TargetStatuses.Pending.Count);
        Assert.Contains("@batch", Parameters(expired), StringComparer.OrdinalIgnoreCase);
        foreach (var text in new[] { sql.DeleteMovedMessages, sql.DeleteUnmovedMessages })
            Assert.Equal(new[] { "@batch", "@cutoff" }.Order(StringComparer.OrdinalIgnoreCase), Parameters(text).Order(StringComparer.OrdinalIgnoreCase));
        var pending = sql.ChannelDatabasesWithPendingTargets(TargetStatuses.Pending.Count);
        Clean(pending);
        Assert.Equal(TargetStatuses.Pending.Count, Parameters(pending).Count);
        Assert.Equal(["@c"], Parameters(sql.ForgetChannelDatabase));
    }

    [Fact]
    public void Spelling_brackets_every_lowercase_name_and_leaves_parameters_keywords_literals_and_quoted_names_alone()
    {
        var spelled = SqlServerMessageStoreSql.Instance.Spell(
            "SELECT TOP (@limit) s.id, COUNT(*) AS n FROM dbo.download_sessions s WHERE s.status = @startedStatus AND [x_y] = 'a b' AND @@ROWCOUNT = 0\n");
        Assert.Equal(
            "SELECT TOP (@limit) [s].[id], COUNT(*) AS [n] FROM [dbo].[download_sessions] [s] WHERE [s].[status] = @startedStatus AND [x_y] = 'a b' AND @@ROWCOUNT = 0;",
            spelled);
        Assert.Equal("DELETE FROM [dbo].[t]; DELETE FROM [dbo].[u];", SqlServerMessageStoreSql.Instance.Spell("DELETE FROM dbo.t; DELETE FROM dbo.u;"));
    }
}
