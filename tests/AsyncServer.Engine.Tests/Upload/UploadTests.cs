using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Samples;
using AsyncServer.Tests.Support;
using static AsyncServer.Tests.Upload.UploadSupport;

namespace AsyncServer.Tests.Upload;

/// <summary>Issue 15: a store sells, sends, HQ applies; each sale exactly once, header and lines together.</summary>
public sealed class UploadTests
{
    [Fact]
    public async Task A_store_sells_sends_and_HQ_holds_every_sale_once()
    {
        await using var ws = await Workspace.CreateAsync(products: 5);
        var sold = await SellAsync(ws, "HOUSTON", 7);
        var sent = Assert.Single(await SendAsync(ws, "HOUSTON"));
        Assert.Equal(UploadStatus.Uploaded, sent.Status);
        Assert.True(File.Exists(Path.Combine(ws.Config.UploadFolder, sent.PackageFile!)));

        var applied = Assert.Single(await ApplyAsync(ws));
        Assert.True(applied.Status == UploadStatus.Applied, applied.Message);
        Assert.Equal(7, await HqCountAsync(ws, SampleSales.Header, "HOUSTON"));
        Assert.Equal(await StoreCountAsync(ws, "HOUSTON", SampleSales.Lines), await HqCountAsync(ws, SampleSales.Lines));
        Assert.Equal(7, await HqCountAsync(ws, SampleSales.Payments));
        foreach (var id in sold) Assert.Equal(1L, Convert.ToInt64(await ws.HqScalarAsync($"SELECT COUNT(*) FROM RETAILTRANSACTIONTABLE WHERE TRANSACTIONID = '{id}'")));

        // Nothing new: no session. More sales: only those travel.
        Assert.Null(Assert.Single(await SendAsync(ws, "HOUSTON")).SessionId);
        await SellAsync(ws, "HOUSTON", 3, seed: 2);
        Assert.Equal(3, Assert.Single(await SendAsync(ws, "HOUSTON")).Tables.Single(t => t.Subjob == SampleSales.Header).Rows);
        await ApplyAsync(ws);
        Assert.Equal(10, await HqCountAsync(ws, SampleSales.Header));
        Assert.All(await UploadsAsync(ws), s => Assert.Equal(UploadStatus.Applied, s.Status));
        Assert.All(await UploadsAsync(ws), s => Assert.True(s.Id >= AsyncServer.Upload.UploadSession.FirstId));
    }

    [Fact]
    public async Task A_package_applied_twice_changes_nothing_and_a_later_package_waits_for_an_earlier_one()
    {
        await using var ws = await Workspace.CreateAsync(products: 5);
        await SellAsync(ws, "SEATTLE", 2);
        var first = Assert.Single(await SendAsync(ws, "SEATTLE"));
        await SellAsync(ws, "SEATTLE", 2, seed: 3);
        var second = Assert.Single(await SendAsync(ws, "SEATTLE"));
        // Out of order: the second package arrives alone (the first one is taken away for a while).
        var firstPath = Path.Combine(ws.Config.UploadFolder, first.PackageFile!);
        File.Move(firstPath, firstPath + ".away");
        var results = await ApplyAsync(ws);
        Assert.Equal(UploadStatus.ApplyFailed, results.Single(r => r.SessionId == first.SessionId).Status);
        var held = results.Single(r => r.SessionId == second.SessionId);
        Assert.Equal(UploadStatus.Uploaded, held.Status);
        Assert.Contains("Held", held.Message, StringComparison.Ordinal);
        Assert.Equal(0, await HqCountAsync(ws, SampleSales.Header));

        File.Move(firstPath + ".away", firstPath);
        await ApplyAsync(ws);
        Assert.Equal(4, await HqCountAsync(ws, SampleSales.Header));

        // A duplicate delivery: the first session is marked Uploaded again (a lost acknowledgement) and applied again.
        await using (var store = ws.Context().OpenMessageStore())
            Assert.True(await store.ChangeUploadAsync(first.SessionId!.Value, [UploadStatus.Applied], UploadStatus.Uploaded, null, TriesChange.Keep, default));
        var again = Assert.Single(await ApplyAsync(ws));
        Assert.Equal(UploadStatus.Applied, again.Status);
        Assert.Contains("Already applied", again.Message, StringComparison.Ordinal);
        Assert.Equal(4, await HqCountAsync(ws, SampleSales.Header));
    }

    [Fact]
    public async Task A_store_whose_counter_went_back_gets_a_clear_error_and_HQ_is_untouched()
    {
        await using var ws = await Workspace.CreateAsync(products: 5);
        await SellAsync(ws, "HOUSTON", 5);
        await SendAsync(ws, "HOUSTON");
        await ApplyAsync(ws);
        // Restored from a backup taken before any sale.
        await StoreExecuteAsync(ws, "HOUSTON", "DELETE FROM RETAILTRANSACTIONTABLE; DELETE FROM RETAILTRANSACTIONSALESTRANS; " +
            "DELETE FROM RETAILTRANSACTIONPAYMENTTRANS; DELETE FROM sqlite_sequence;");
        await SellAsync(ws, "HOUSTON", 2, seed: 9);
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => SendAsync(ws, "HOUSTON"));
        Assert.Equal(ErrorIds.CounterRegression, ex.ErrorId);
        Assert.Contains("restored from a backup", ex.Message, StringComparison.Ordinal);
        Assert.Equal(UploadStatus.UploadFailed, (await UploadsAsync(ws)).Last().Status);
        Assert.Equal(5, await HqCountAsync(ws, SampleSales.Header));
    }
}

/// <summary>Issue 15, point 4: upload sessions in the status messages and under retention.</summary>
public sealed class UploadRetentionTests
{
    [Fact]
    public async Task Upload_status_messages_reach_HQ_with_their_job_and_finished_upload_sessions_are_purged_with_their_packages()
    {
        await using var ws = await Workspace.CreateAsync(products: 5);
        await SellAsync(ws, "HOUSTON", 2);
        var sent = Assert.Single(await SendAsync(ws, "HOUSTON"));
        await ApplyAsync(ws);
        var package = Path.Combine(ws.Config.UploadFolder, sent.PackageFile!);
        Assert.True(File.Exists(package));

        ws.Configure(c => c.RetentionDays = 0);
        await new StatusMessageMover(ws.Context()).RunAsync(whatIf: false, null, default);
        Assert.Equal("P-0001", await ws.HqScalarAsync($"SELECT JOBID FROM ASYNCSESSIONSTATUS WHERE SESSIONID = {sent.SessionId} AND CHANNELDATABASE = 'HOUSTON'"));
        Assert.Equal("Applied", await ws.HqScalarAsync($"SELECT STATUS FROM ASYNCSESSIONSTATUS WHERE SESSIONID = {sent.SessionId}"));
        Assert.Empty(await UploadsAsync(ws));
        Assert.False(File.Exists(package));
    }
}
