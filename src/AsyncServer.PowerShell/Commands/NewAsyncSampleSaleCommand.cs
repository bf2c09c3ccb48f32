using System.Management.Automation;
using AsyncServer.Data;
using AsyncServer.PowerShell.Internal;
using AsyncServer.Samples;

namespace AsyncServer.PowerShell.Commands;

/// <summary>What New-AsyncSampleSale did at one store.</summary>
public sealed record SampleSaleSummary(string ChannelDatabase, int Sales, string FirstTransaction, string LastTransaction);

/// <summary>
/// <para type="synopsis">Rings up sample sales at a store's channel database (the sample's RETAILTRANSACTION* tables, created if missing), to
/// see upload at work.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "AsyncSampleSale", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    HelpUri = HelpLinks.CmdletReference + "#new-asyncsamplesale")]
[OutputType(typeof(SampleSaleSummary))]
public sealed class NewAsyncSampleSaleCommand : AsyncServerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ChannelDatabaseId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ChannelDatabaseNameCompleter))]
    public string[] ChannelDatabase { get; set; } = [];

    /// <summary>Sales per store; each is one transaction with a header, one to five lines and a payment.</summary>
    [Parameter] [ValidateRange(1, 1_000_000)] public int Count { get; set; } = 10;

    [Parameter] public int Seed { get; set; } = Environment.TickCount;

    protected override void ProcessRecord()
    {
        var config = Context.Configuration;
        foreach (var name in ChannelDatabase)
        {
            if (config.FindChannelDatabase(name) is not { } found || found.Database.Connection is null)
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"Channel database '{name}' is not defined with a connection in the configuration."),
                    "ChannelDatabaseNotFound", ErrorCategory.ObjectNotFound, name));
                continue;
            }
            var db = found.Database;
            if (!ShouldProcess($"channel database {db.Id}", $"Ring up {Count} sample sale(s)")) continue;
            var connection = Run(_ => Task.FromResult(ResolvedConnection.Resolve(db.Connection, $"channel database {db.Id}.connection", config.BaseDirectory,
                Context.Credential)));
            var area = db.Parameters.TryGetValue("DataAreaId", out var a) ? a : "usrt";
            var ids = Run(async ct =>
            {
                await SampleSales.CreateTablesAsync(connection, channel: true, ct).ConfigureAwait(false);
                return await SampleSales.SellAsync(connection, db.Id, area, Count, Seed, ct).ConfigureAwait(false);
            }, db.Id);
            WriteVerbose($"{ids.Count} sample sale(s) rung up at {db.Id}.");
            WriteResult(new SampleSaleSummary(db.Id, ids.Count, ids[0], ids[^1]));
        }
    }
}
