using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Distribution;

/// <summary>The download pipeline end to end on real SQLite files: full, incremental, deletes, filters, field maps, NoData.</summary>
public sealed class DistributionTests
{
    [Fact]
    public async Task First_run_is_a_full_sync_per_data_group_with_only_that_groups_rows()
    {
        await using var ws = await Workspace.CreateAsync();
        var sessions = await ws.RunJobsAsync("1020");
        Assert.Equal(2, sessions.Count);
        foreach (var s in sessions)
        {
            Assert.Equal(SessionKind.Full, s.Kind);
            Assert.Equal(SessionStatus.Available, s.Status);
            Assert.Contains("First distribution", s.FullSyncReason);
            Assert.Null(s.FromVersion);
            var company = s.DataGroup == "USRT-Stores" ? "usrt" : "usmf";
            var expected = Convert.ToInt64(await ws.HqScalarAsync($"SELECT COUNT(*) FROM PRICEDISCTABLE WHERE DATAAREAID = '{company}'"));
            Assert.Equal(expected, s.RowCount);
            var (manifest, rows) = await ws.ReadPackageAsync(s);
            Assert.Equal(s.Id, manifest.SessionId);
            var table = manifest.Tables.Single();
            var da = table.Columns.FindIndex(c => c.Name == "DATAAREAID");
            Assert.All(rows["PRICEDISCTABLE"], r => Assert.Equal(company, r.Values[da]));
            Assert.Equal(s.ToVersion, await ws.RowVersionAsync(s.DataGroup, "1020"));
            Assert.Equal(s.DataGroup == "USRT-Stores" ? ["HOUSTON", "SEATTLE"] : ["CHICAGO", "DETROIT"], s.Targets.Select(t => t.ChannelDatabase));
        }
    }

    [Fact]
    public async Task Incremental_run_packages_only_the_changes_and_deletes_go_by_key()
    {
        await using var ws = await Workspace.CreateAsync();
        await ws.RunJobsAsync("1040");
        var barcode = (string)(await ws.HqScalarAsync("SELECT ITEMBARCODE FROM INVENTITEMBARCODE WHERE DATAAREAID = 'usrt' LIMIT 1"))!;
        var item = (string)(await ws.HqScalarAsync("SELECT ITEMID FROM INVENTTABLE WHERE DATAAREAID = 'usrt' LIMIT 1"))!;
        await ws.HqAsync($"DELETE FROM INVENTITEMBARCODE WHERE ITEMBARCODE = '{barcode}' AND DATAAREAID = 'usrt'");
        await ws.HqAsync($"UPDATE INVENTTABLE SET NAMEALIAS = 'renamed' WHERE ITEMID = '{item}' AND DATAAREAID = 'usrt'");

        var sessions = await ws.RunAsync(new DistributionRequest { Jobs = ["1040"], DataGroups = ["USRT-Stores"] });
        var s = Assert.Single(sessions);
        Assert.Equal(SessionKind.Incremental, s.Kind);
        // The barcode's delete, the item's upsert, and its product again: ECORESPRODUCT is filtered through INVENTTABLE,
        // so a changed item re-evaluates its product (still released to usrt: an upsert of the same row).
        Assert.Equal(3, s.RowCount);
        var (manifest, rows) = await ws.ReadPackageAsync(s);
        Assert.True(Assert.Single(rows["ECORESPRODUCT"]).Upsert);
        var barcodes = rows["INVENTITEMBARCODE"];
        var delete = Assert.Single(barcodes);
        Assert.False(delete.Upsert);
        var barcodeTable = manifest.Tables.Single(t => t.ChannelTable == "INVENTITEMBARCODE");
        Assert.Equal(["ITEMBARCODE", "DATAAREAID"], barcodeTable.KeyColumns);
        Assert.Equal(barcode, delete.Values[barcodeTable.Columns.FindIndex(c => c.Name == "ITEMBARCODE")]);
        Assert.Null(delete.Values[barcodeTable.Columns.FindIndex(c => c.Name == "BARCODESETUPID")]);
        var upsert = Assert.Single(rows["INVENTTABLE"]);
        Assert.True(upsert.Upsert);
        var inventTable = manifest.Tables.Single(t => t.ChannelTable == "INVENTTABLE");
        Assert.Equal("renamed", upsert.Values[inventTable.Columns.FindIndex(c => c.Name == "SEARCHALIAS")]);
        Assert.Equal(sessions[0].FromVersion, manifest.FromVersion);
    }

    [Fact]
    public async Task Field_map_renames_and_drops_columns_and_keeps_keys()
    {
        await using var ws = await Workspace.CreateAsync();
        var s = (await ws.RunAsync(new DistributionRequest { Jobs = ["1040"], DataGroups = ["USMF-Stores"] })).Single();
        var (manifest, _) = await ws.ReadPackageAsync(s);
        var table = manifest.Tables.Single(t => t.ChannelTable == "INVENTTABLE");
        Assert.Equal(["ITEMID", "DATAAREAID", "PRODUCT", "SEARCHALIAS", "ITEMTYPE", "NETWEIGHT", "CREATEDDATETIME"], table.Columns.Select(c => c.Name));
        Assert.Equal("NAMEALIAS", table.Columns.Single(c => c.Name == "SEARCHALIAS").Source);
        Assert.DoesNotContain(table.Columns, c => c.Name is "RECID" or "PARTITION");
        Assert.Equal(["ITEMID", "DATAAREAID"], table.KeyColumns);
    }

    [Fact]
    public async Task A_row_moving_between_legal_entities_is_deleted_in_one_group_and_upserted_in_the_other()
    {
        await using var ws = await Workspace.CreateAsync();
        await ws.RunJobsAsync("1020");
        var recId = Convert.ToInt64(await ws.HqScalarAsync("SELECT RECID FROM PRICEDISCTABLE WHERE DATAAREAID = 'usrt' LIMIT 1"));
        await ws.HqAsync($"UPDATE PRICEDISCTABLE SET DATAAREAID = 'usmf' WHERE RECID = {recId}");
        var sessions = await ws.RunJobsAsync("1020");
        var usrt = await ws.ReadPackageAsync(sessions.Single(s => s.DataGroup == "USRT-Stores"));
        var usmf = await ws.ReadPackageAsync(sessions.Single(s => s.DataGroup == "USMF-Stores"));
        Assert.False(Assert.Single(usrt.Rows["PRICEDISCTABLE"]).Upsert);
        Assert.True(Assert.Single(usmf.Rows["PRICEDISCTABLE"]).Upsert);
    }

    [Fact]
    public async Task No_change_gives_a_NoData_session_and_no_file()
    {
        await using var ws = await Workspace.CreateAsync();
        await ws.RunJobsAsync("1070");
        var version = await ws.RowVersionAsync("USRT-Stores", "1070");
        var files = ws.FilesInWorkingFolders().Length;
        var sessions = await ws.RunJobsAsync("1070");
        Assert.All(sessions, s =>
        {
            Assert.Equal(SessionStatus.NoData, s.Status);
            Assert.Null(s.PackageFile);
            Assert.Empty(s.Targets);
        });
        Assert.Equal(files, ws.FilesInWorkingFolders().Length);
        Assert.Equal(version, await ws.RowVersionAsync("USRT-Stores", "1070"));
    }

    [Fact]
    public async Task Changes_to_other_jobs_tables_give_NoData_and_advance_the_row_version()
    {
        await using var ws = await Workspace.CreateAsync();
        await ws.RunJobsAsync("1070");
        var before = await ws.RowVersionAsync("USRT-Stores", "1070");
        await ws.HqAsync("UPDATE PRICEDISCTABLE SET AMOUNT = AMOUNT + 1");
        var s = (await ws.RunAsync(new DistributionRequest { Jobs = ["1070"], DataGroups = ["USRT-Stores"] })).Single();
        Assert.Equal(SessionStatus.NoData, s.Status);
        Assert.True(await ws.RowVersionAsync("USRT-Stores", "1070") > before);
        Assert.Equal(s.ToVersion, await ws.RowVersionAsync("USRT-Stores", "1070"));
    }

    [Fact]
    public async Task A_history_gap_turns_the_run_into_a_full_sync_that_says_why()
    {
        await using var ws = await Workspace.CreateAsync();
        await ws.RunJobsAsync("1020");
        await ws.HqAsync("UPDATE PRICEDISCTABLE SET AMOUNT = AMOUNT + 1 WHERE RECID IN (SELECT RECID FROM PRICEDISCTABLE LIMIT 3)");
        await using (var hq = ws.Context().OpenChangeSource())
            await hq.CleanupChangeTrackingAsync(TimeSpan.FromSeconds(-5), default); // everything is expired
        var sessions = await ws.RunAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] });
        var s = Assert.Single(sessions);
        Assert.Equal(SessionKind.Full, s.Kind);
        Assert.Contains("History gap", s.FullSyncReason);
        Assert.Contains("PRICEDISCTABLE", s.FullSyncReason);
        Assert.Equal(Convert.ToInt64(await ws.HqScalarAsync("SELECT COUNT(*) FROM PRICEDISCTABLE WHERE DATAAREAID = 'usrt'")), s.RowCount);
    }

    [Fact]
    public async Task Packages_split_at_the_row_limit_and_only_the_first_part_deletes_existing_data()
    {
        await using var ws = await Workspace.CreateAsync();
        ws.Configure(c => c.PackageLimits.MaxRows = 50);
        var sessions = await ws.RunAsync(new DistributionRequest { Jobs = ["1040"], DataGroups = ["USRT-Stores"], FullSync = true, DeleteExistingData = true });
        Assert.True(sessions.Count > 3);
        Assert.Equal(Enumerable.Range(1, sessions.Count), sessions.Select(s => s.Part));
        Assert.All(sessions, s => Assert.True(s.RowCount <= 50));
        Assert.Single(sessions.Select(s => (s.FromVersion, s.ToVersion)).Distinct());
        Assert.True(sessions[0].DeleteExisting);
        Assert.All(sessions.Skip(1), s => Assert.False(s.DeleteExisting));
        var (first, _) = await ws.ReadPackageAsync(sessions[0]);
        Assert.Equal(["ECORESPRODUCT", "ECORESPRODUCTTRANSLATION", "INVENTTABLE", "INVENTITEMBARCODE"], first.DeleteExistingTables);
        var (second, _) = await ws.ReadPackageAsync(sessions[1]);
        Assert.False(second.DeleteExisting);
        Assert.Empty(second.DeleteExistingTables);
        var total = 0L;
        foreach (var table in new[] { "ECORESPRODUCTTRANSLATION", "INVENTTABLE", "INVENTITEMBARCODE" })
            total += Convert.ToInt64(await ws.HqScalarAsync(table == "ECORESPRODUCTTRANSLATION" ? $"SELECT COUNT(*) FROM {table}" : $"SELECT COUNT(*) FROM {table} WHERE DATAAREAID = 'usrt'"));
        total += Convert.ToInt64(await ws.HqScalarAsync("SELECT COUNT(*) FROM ECORESPRODUCT p WHERE EXISTS (SELECT 1 FROM INVENTTABLE i WHERE i.PRODUCT = p.RECID AND i.DATAAREAID = 'usrt')"));
        Assert.Equal(total, sessions.Sum(s => s.RowCount));
    }

    [Fact]
    public async Task Packages_split_at_the_byte_limit()
    {
        await using var ws = await Workspace.CreateAsync();
        ws.Configure(c => c.PackageLimits.MaxBytes = 4096);
        var sessions = await ws.RunAsync(new DistributionRequest { Jobs = ["1040"], DataGroups = ["USMF-Stores"] });
        Assert.True(sessions.Count > 1);
        // A part is closed once it reaches the limit, so no part is more than one deflate block past it.
        Assert.All(sessions.SkipLast(1), s => Assert.True(s.PackageSize < 4096 + 70_000, $"part {s.Part}: {s.PackageSize} bytes"));
    }

    [Fact]
    public async Task A_full_sync_for_chosen_channel_databases_targets_only_them_and_keeps_the_row_version()
    {
        await using var ws = await Workspace.CreateAsync();
        await ws.RunJobsAsync("1010");
        var before = await ws.RowVersionAsync("USMF-Stores", "1010");
        await ws.HqAsync("UPDATE CUSTTABLE SET BLOCKED = 1");
        var s = Assert.Single(await ws.RunAsync(new DistributionRequest { Jobs = ["1010"], FullSync = true, ChannelDatabases = ["DETROIT"] }));
        Assert.Equal("USMF-Stores", s.DataGroup);
        Assert.Equal(["DETROIT"], s.Targets.Select(t => t.ChannelDatabase));
        Assert.Equal(["DETROIT"], s.RequestedChannelDatabases);
        Assert.Contains("DETROIT", s.FullSyncReason);
        Assert.Equal(before, await ws.RowVersionAsync("USMF-Stores", "1010"));
        // The group's next incremental still carries the change to every database.
        var next = Assert.Single(await ws.RunAsync(new DistributionRequest { Jobs = ["1010"], DataGroups = ["USMF-Stores"] }));
        Assert.Equal(SessionKind.Incremental, next.Kind);
        Assert.Equal(["CHICAGO", "DETROIT"], next.Targets.Select(t => t.ChannelDatabase));
    }

    [Fact]
    public async Task Schedules_expand_to_their_jobs_and_data_groups()
    {
        await using var ws = await Workspace.CreateAsync();
        var sessions = await ws.RunAsync(new DistributionRequest { Schedules = ["Products-and-prices"] });
        Assert.Equal(4, sessions.Select(s => (s.JobId, s.DataGroup)).Distinct().Count());
        Assert.All(sessions, s => Assert.Contains(s.JobId, new[] { "1040", "1020" }));
        Assert.All(sessions, s => Assert.Equal("test:1", s.InstanceId));
    }

    [Fact]
    public async Task Unknown_names_fail_with_stable_error_ids_before_anything_is_written()
    {
        await using var ws = await Workspace.CreateAsync();
        async Task<string> ErrorOf(DistributionRequest r) => (await Assert.ThrowsAsync<Diagnostics.AsyncServerException>(() => ws.RunAsync(r))).ErrorId;
        Assert.Equal("ScheduleNotFound", await ErrorOf(new DistributionRequest { Schedules = ["nope"] }));
        Assert.Equal("JobNotFound", await ErrorOf(new DistributionRequest { Jobs = ["9999"] }));
        Assert.Equal("DataGroupNotFound", await ErrorOf(new DistributionRequest { Jobs = ["1040"], DataGroups = ["nope"] }));
        Assert.Equal("ChannelDatabaseNotFound", await ErrorOf(new DistributionRequest { Jobs = ["1040"], FullSync = true, ChannelDatabases = ["nope"] }));
        Assert.Equal("NothingToDistribute", await ErrorOf(new DistributionRequest()));
        Assert.Equal("NothingToDistribute", await ErrorOf(new DistributionRequest { Jobs = ["1040"], DeleteExistingData = true }));
        Assert.Empty(await ws.SessionsAsync());
        Assert.Empty(ws.FilesInWorkingFolders());
    }

    [Fact]
    public async Task Plan_reads_but_writes_nothing()
    {
        await using var ws = await Workspace.CreateAsync();
        var plan = await new DistributionRunner(ws.Context()).PlanAsync(new DistributionRequest { Schedules = ["Nightly"] }, default);
        Assert.Equal(4, plan.Count);
        Assert.All(plan, p => Assert.Equal("Full", p.Kind));
        Assert.Empty(await ws.SessionsAsync());
        Assert.Empty(ws.FilesInWorkingFolders());
        Assert.Null(await ws.RowVersionAsync("USRT-Stores", "1010"));
        await ws.RunAsync(new DistributionRequest { Schedules = ["Nightly"] });
        var again = await new DistributionRunner(ws.Context()).PlanAsync(new DistributionRequest { Schedules = ["Nightly"] }, default);
        Assert.All(again, p => Assert.Equal("NoData", p.Kind));
    }
}
