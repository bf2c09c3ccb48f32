using System.Management.Automation;
using AsyncServer.ChangeTracking;
using AsyncServer.Filtering;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Turns on change tracking in the HQ database for the configured tables.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Enable, "AsyncChangeTracking", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    HelpUri = HelpLinks.CmdletReference + "#enable-asyncchangetracking")]
[OutputType(typeof(ChangeTrackingTableInfo))]
public sealed class EnableAsyncChangeTrackingCommand : AsyncServerCmdlet
{
    /// <summary>HQ tables; default every table a subjob reads, including EXISTS parents of filters.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("HqTable")]
    [ArgumentCompleter(typeof(HqTableNameCompleter))]
    public string[]? Table { get; set; }

    /// <summary>
    /// How long change history is kept; packages must be built within it or a full sync follows. Default: the
    /// configuration's retentionDays (how long sessions are kept).
    /// </summary>
    [Parameter] [ValidateRange(1, 3650)] public int? RetentionDays { get; set; }

    private readonly List<string> _tables = [];

    protected override void ProcessRecord()
    {
        if (Table is not null) _tables.AddRange(Table);
    }

    protected override void EndProcessing()
    {
        var tables = _tables.Count > 0 ? _tables : ConfiguredTables();
        var hq = Run(ct => Task.FromResult(Context.HqConnection));
        var days = RetentionDays ?? Context.Configuration.RetentionDays;
        if (!ShouldProcess(hq.Display, $"Enable change tracking ({days} days) for {string.Join(", ", tables)}")) return;
        var (result, warnings) = Run(async ct =>
        {
            await using var source = Context.OpenChangeSource();
            var enabled = await source.EnableChangeTrackingAsync(tables, ParentFilters.OptionsFor(Context.Configuration, TimeSpan.FromDays(days)), ct)
                .ConfigureAwait(false);
            // Filters through a parent whose lookups have no index: said now, where indexes are being set up.
            var (resolved, _) = await Checks.CatalogChecker.ResolveAsync(Context.Configuration, source, null, ct).ConfigureAwait(false);
            var slow = await Checks.ParentIndexChecker.CheckAsync(Context.Configuration, resolved, source, ct).ConfigureAwait(false);
            return (enabled, slow);
        });
        foreach (var warning in warnings) WriteWarning(warning.ToString());
        foreach (var info in result) WriteResult(info);
        base.EndProcessing();
    }

    private List<string> ConfiguredTables()
    {
        var tables = new List<string>();
        foreach (var s in Context.Configuration.Subjobs)
        {
            tables.Add(s.HqTable);
            if (string.IsNullOrWhiteSpace(s.Filter)) continue;
            try
            {
                tables.AddRange(FilterTree.Flatten(FilterParser.Parse(s.Filter!)).OfType<ExistsFilter>().Select(e => e.ParentTable));
            }
            catch (Diagnostics.AsyncServerException) { /* Test-AsyncConfiguration reports bad filters */ }
        }
        return tables.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }
}
