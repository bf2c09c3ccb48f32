using AsyncServer.Data;
using AsyncServer.Messaging;
using AsyncServer.Samples;
using AsyncServer.Tests.Support;
using AsyncServer.Upload;
using Npgsql;

namespace AsyncServer.Tests.Upload;

/// <summary>Issue 15 on PostgreSQL: stores, message database and HQ all PostgreSQL; HQ applies through binary COPY.</summary>
[Collection(Contracts.PostgresCollection.Name)]
public sealed class PostgresUploadTests(Contracts.PostgresFixture fixture)
{
    [Fact]
    public async Task A_postgresql_store_sends_and_a_postgresql_HQ_holds_every_sale_once_applied_twice_changing_nothing()
    {
        await using var h = await ClientHarness.CreateAsync(products: 5, postgres: fixture.Server, postgresHq: true);
        var (_, db) = h.Config.FindChannelDatabase("HOUSTON")!.Value;
        var store = ResolvedConnection.Resolve(db.Connection, "test", h.Config.BaseDirectory, null);
        await SampleSales.CreateTablesAsync(store, channel: true, default);
        await SampleSales.SellAsync(store, "HOUSTON", "usrt", 6, 1, default);

        var sent = Assert.Single(await new UploadSender(h.Context, FolderUploadTransport.Of(h.Config)).SendAsync("HOUSTON", null, default));
        Assert.Equal(UploadStatus.Uploaded, sent.Status);
        var applied = Assert.Single(await new UploadApplier(h.Context).ApplyAsync(null, null, plan: false, default));
        Assert.True(applied.Status == UploadStatus.Applied, applied.Message);

        await using var hq = new NpgsqlConnection(h.PostgresHq);
        await hq.OpenAsync();
        async Task<long> CountAsync(string table)
        {
            await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\"", hq);
            return (long)(await cmd.ExecuteScalarAsync())!;
        }
        Assert.Equal(6, await CountAsync(SampleSales.Header));
        Assert.Equal(6, await CountAsync(SampleSales.Payments));
        var lines = await CountAsync(SampleSales.Lines);

        await using (var messages = h.Context.OpenMessageStore())
            Assert.True(await messages.ChangeUploadAsync(sent.SessionId!.Value, [UploadStatus.Applied], UploadStatus.Uploaded, null, TriesChange.Keep, default));
        var again = Assert.Single(await new UploadApplier(h.Context).ApplyAsync(null, null, plan: false, default));
        Assert.Contains("Already applied", again.Message, StringComparison.Ordinal);
        Assert.Equal(6, await CountAsync(SampleSales.Header));
        Assert.Equal(lines, await CountAsync(SampleSales.Lines));
    }
}
