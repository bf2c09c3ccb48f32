using AsyncServer.Checks;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Distribution;

/// <summary>
/// Subjobs filtered through a parent table (ECORESPRODUCT through INVENTTABLE in the sample), on real SQLite files:
/// parent changes reach the package of the next incremental run, and what the feature needs (indexes, before-images)
/// is reported when missing. The end-to-end property on SQLite and PostgreSQL is ConvergencePropertyTests.
/// </summary>
public sealed class ParentFilterTests
{
    private static int SubjobIndex(Workspace ws, string id) => ws.Config.Subjobs.FindIndex(s => s.Id == id);

    /// <summary>The ECORESPRODUCT rows of the sessions' packages as (RECID, upsert) pairs.</summary>
    private static Task<List<(long RecId, bool Upsert)>> ProductRowsAsync(Workspace ws, IEnumerable<DownloadSessionRecord> sessions)
        => RowsAsync(ws, sessions, "ECORESPRODUCT", "RECID");

    /// <summary>The rows of one HQ table in the sessions' packages as (value of <paramref name="column"/>, upsert) pairs.</summary>
    private static async Task<List<(long RecId, bool Upsert)>> RowsAsync(Workspace ws, IEnumerable<DownloadSessionRecord> sessions, string hqTable, string column)
    {
        var rows = new List<(long, bool)>();
        foreach (var s in sessions.Where(s => s.PackageFile is not null))
        {
            var (manifest, tables) = await ws.ReadPackageAsync(s);
            var table = manifest.Tables.FirstOrDefault(t => t.HqTable == hqTable);
            if (table is null) continue;
            var recId = table.Columns.FindIndex(c => c.Source == column);
            rows.AddRange(tables[table.ChannelTable].Select(r => (Convert.ToInt64(r.Values[recId]), r.Upsert)));
        }
        return rows;
    }

    [Fact]
    public async Task A_product_moved_to_the_other_legal_entity_is_deleted_at_one_data_group_and_upserted_at_the_other_in_the_next_incremental()
    {
        await using var ws = await Workspace.CreateAsync(products: 12);
        await ws.RunJobsAsync("1040");
        // A product released to usrt only, then moved to usmf: only the parent (INVENTTABLE) changes.
        var (item, product) = await OnlyInAsync(ws, "usrt");
        await ws.HqAsync($"UPDATE INVENTTABLE SET DATAAREAID = 'usmf' WHERE ITEMID = '{item}' AND DATAAREAID = 'usrt'");
        var sessions = await ws.RunJobsAsync("1040");
        Assert.All(sessions, s => Assert.Equal(SessionKind.Incremental, s.Kind));
        var usrt = await ProductRowsAsync(ws, sessions.Where(s => s.DataGroup == "USRT-Stores"));
        var usmf = await ProductRowsAsync(ws, sessions.Where(s => s.DataGroup == "USMF-Stores"));
        Assert.Contains((product, false), usrt);
        Assert.Contains((product, true), usmf);
    }

    [Fact]
    public async Task A_filter_tying_only_part_of_the_childs_key_follows_a_moved_item_through_a_join_to_the_child()
    {
        await using var ws = await Workspace.CreateAsync(products: 12);
        // PRODUCT is half of ECORESPRODUCTTRANSLATION's key (PRODUCT, LANGUAGEID): a changed item cannot name its
        // children's keys, so the candidate keys come from a join to the child (ParentFilters.ChangedKeysSql).
        ws.Configure(c => c.Subjobs.Single(s => s.Id == "ECORESPRODUCTTRANSLATION").Filter = "EXISTS INVENTTABLE (PRODUCT = PRODUCT AND DATAAREAID = @DataAreaId)");
        await ws.RunJobsAsync("1040");
        var (item, product) = await OnlyInAsync(ws, "usrt");
        var translations = Convert.ToInt32(await ws.HqScalarAsync($"SELECT COUNT(*) FROM ECORESPRODUCTTRANSLATION WHERE PRODUCT = {product}"));
        Assert.True(translations > 0);
        await ws.HqAsync($"UPDATE INVENTTABLE SET DATAAREAID = 'usmf' WHERE ITEMID = '{item}' AND DATAAREAID = 'usrt'");
        var sessions = await ws.RunJobsAsync("1040");
        Assert.All(sessions, s => Assert.Equal(SessionKind.Incremental, s.Kind));
        var usrt = await RowsAsync(ws, sessions.Where(s => s.DataGroup == "USRT-Stores"), "ECORESPRODUCTTRANSLATION", "PRODUCT");
        var usmf = await RowsAsync(ws, sessions.Where(s => s.DataGroup == "USMF-Stores"), "ECORESPRODUCTTRANSLATION", "PRODUCT");
        Assert.Equal(translations, usrt.Count(r => r == (product, false)));
        Assert.Equal(translations, usmf.Count(r => r == (product, true)));
    }

    [Fact]
    public async Task A_deleted_item_removes_its_product_and_inserting_it_again_brings_it_back()
    {
        await using var ws = await Workspace.CreateAsync(products: 12);
        await ws.RunJobsAsync("1040");
        var (item, product) = await OnlyInAsync(ws, "usrt");
        await ws.HqAsync($"CREATE TABLE keep AS SELECT * FROM INVENTTABLE WHERE ITEMID = '{item}'; DELETE FROM INVENTTABLE WHERE ITEMID = '{item}'");
        var deleted = await ProductRowsAsync(ws, (await ws.RunJobsAsync("1040")).Where(s => s.DataGroup == "USRT-Stores"));
        Assert.Contains((product, false), deleted);
        await ws.HqAsync("INSERT INTO INVENTTABLE SELECT * FROM keep");
        var back = await ProductRowsAsync(ws, (await ws.RunJobsAsync("1040")).Where(s => s.DataGroup == "USRT-Stores"));
        Assert.Contains((product, true), back);
    }

    /// <summary>An item released to exactly one legal entity, and its product.</summary>
    private static async Task<(string Item, long Product)> OnlyInAsync(Workspace ws, string area)
    {
        var item = (string)(await ws.HqScalarAsync(
            $"SELECT ITEMID FROM INVENTTABLE i WHERE DATAAREAID = '{area}' AND NOT EXISTS (SELECT 1 FROM INVENTTABLE o WHERE o.PRODUCT = i.PRODUCT AND o.DATAAREAID <> '{area}') ORDER BY ITEMID LIMIT 1"))!;
        var product = Convert.ToInt64(await ws.HqScalarAsync($"SELECT PRODUCT FROM INVENTTABLE WHERE ITEMID = '{item}'"));
        return (item, product);
    }

    private sealed class CollectedProgress : IProgress<DistributionProgress>
    {
        public readonly System.Collections.Concurrent.ConcurrentQueue<DistributionProgress> Reports = new();
        public void Report(DistributionProgress value) => Reports.Enqueue(value);
    }

    [Fact]
    public async Task Progress_inside_a_subjob_read_reports_the_rows_packaged_so_far()
    {
        await using var ws = await Workspace.CreateAsync(products: 400);
        var progress = new CollectedProgress();
        await new DistributionRunner(ws.Context()).RunAsync(new DistributionRequest { Jobs = ["1040"], DataGroups = ["USRT-Stores"] }, progress, default);
        // ECORESPRODUCTTRANSLATION has two rows per product: its read passes row 500 and reports while it is still reading.
        var inside = progress.Reports.Where(r => r.Status.StartsWith("ECORESPRODUCTTRANSLATION: ", StringComparison.Ordinal) && r.RowsWritten > 0).ToList();
        Assert.NotEmpty(inside);
        Assert.All(inside, r => Assert.Contains($"{r.RowsWritten:N0} rows packaged so far", r.Status));
        Assert.All(inside, r => Assert.InRange(r.PercentComplete, 0, 99));
    }

    [Fact]
    public async Task The_sample_has_the_parent_index_and_without_it_Test_AsyncConfiguration_warns_with_the_path_and_the_index_that_would_serve()
    {
        await using var ws = await Workspace.CreateAsync(products: 5);
        Assert.Empty(await ConfigurationValidator.ValidateAsync(ws.Context(), checkCatalog: true, default));
        await ws.HqAsync("DROP INDEX I_INVENTTABLE_PRODUCT");
        var problems = await ConfigurationValidator.ValidateAsync(ws.Context(), checkCatalog: true, default);
        var warning = Assert.Single(problems);
        Assert.Equal(ProblemSeverity.Warning, warning.Severity);
        Assert.Equal($"$.subjobs[{SubjobIndex(ws, "ECORESPRODUCT")}].filter", warning.Path);
        Assert.Contains("an index on INVENTTABLE (PRODUCT, DATAAREAID) would serve", warning.Message);
        // A partial index serves only some lookups, and an expression ends what a lookup by plain columns can use.
        await ws.HqAsync("CREATE INDEX ONLY_TYPE_1 ON INVENTTABLE (PRODUCT, DATAAREAID) WHERE ITEMTYPE = 1; CREATE INDEX BY_EXPRESSION ON INVENTTABLE (PRODUCT + 0, PRODUCT)");
        Assert.Single(await ConfigurationValidator.ValidateAsync(ws.Context(), checkCatalog: true, default));
        // An index led by the legal entity and then the product seeks as well.
        await ws.HqAsync("CREATE INDEX BY_AREA_PRODUCT ON INVENTTABLE (DATAAREAID, PRODUCT)");
        Assert.Empty(await ConfigurationValidator.ValidateAsync(ws.Context(), checkCatalog: true, default));
    }

    [Fact]
    public async Task A_filter_on_a_child_column_without_an_index_is_a_warning_too()
    {
        await using var ws = await Workspace.CreateAsync(products: 5);
        ws.Configure(c => c.Subjobs.Add(new SubjobSettings { Id = "BYNAME", HqTable = "ECORESPRODUCT", Filter = "EXISTS INVENTTABLE (NAMEALIAS = SEARCHNAME)" }));
        var problems = await ConfigurationValidator.ValidateAsync(ws.Context(), checkCatalog: true, default);
        var path = $"$.subjobs[{SubjobIndex(ws, "BYNAME")}].filter";
        Assert.Contains(problems, p => p.Path == path && p.Message.Contains("an index on INVENTTABLE (NAMEALIAS) would serve"));
        Assert.Contains(problems, p => p.Path == path && p.Message.Contains("an index on ECORESPRODUCT (SEARCHNAME) would serve"));
        Assert.All(problems, p => Assert.Equal(ProblemSeverity.Warning, p.Severity));
    }

    [Fact]
    public async Task A_parent_tracked_without_the_before_images_its_filter_needs_stops_the_incremental_run_with_a_clear_error()
    {
        await using var ws = await Workspace.CreateAsync(products: 5);
        await ws.RunJobsAsync("1040");
        // As after enabling change tracking without this configuration (or before parent filters kept before-images).
        await ws.HqAsync("DROP TRIGGER \"__async_ct_INVENTTABLE__before_update\"; DROP TRIGGER \"__async_ct_INVENTTABLE__before_delete\"; DROP TABLE \"__async_ct_INVENTTABLE__before\"");
        await ws.HqAsync("UPDATE INVENTTABLE SET ITEMTYPE = 1 - ITEMTYPE");
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => ws.RunJobsAsync("1040"));
        Assert.Equal(ErrorIds.ChangeTrackingNotEnabled, ex.ErrorId);
        Assert.Contains("'INVENTTABLE', whose change tracking does not keep the previous values of PRODUCT; run Enable-AsyncChangeTracking", ex.Message);
    }
}

/// <summary>The index check on PostgreSQL: the sample HQ copied to the throwaway server, its catalog read through pg_index.</summary>
[Collection(Contracts.PostgresCollection.Name)]
public sealed class PostgresParentIndexTests(Contracts.PostgresFixture fixture)
{
    [Fact]
    public async Task Without_the_parent_index_Test_AsyncConfiguration_warns_on_postgresql_too()
    {
        await using var h = await ClientHarness.CreateAsync(products: 5, withExistsSubjob: true, postgres: fixture.Server, postgresHq: true);
        Assert.Empty(await ConfigurationValidator.ValidateAsync(h.Context, checkCatalog: true, default));
        await using (var conn = new Npgsql.NpgsqlConnection(h.PostgresHq))
        {
            await conn.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand("DROP INDEX \"I_INVENTTABLE_PRODUCT\"; CREATE INDEX by_area ON \"INVENTTABLE\" (\"DATAAREAID\", \"ITEMTYPE\")", conn);
            await drop.ExecuteNonQueryAsync();
        }
        var warning = Assert.Single(await ConfigurationValidator.ValidateAsync(h.Context, checkCatalog: true, default));
        Assert.Equal(ProblemSeverity.Warning, warning.Severity);
        Assert.Contains("an index on public.INVENTTABLE (PRODUCT, DATAAREAID) would serve", warning.Message);
    }
}
