using System.Management.Automation;
using AsyncServer.Diagnostics;
using AsyncServer.Operations;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Shows every configured channel database's health: last contact, pending, failed and blocked sessions, and its state.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "AsyncChannelHealth", HelpUri = HelpLinks.CmdletReference + "#get-asyncchannelhealth")]
[OutputType(typeof(ChannelDatabaseHealth))]
public sealed class GetAsyncChannelHealthCommand : AsyncServerCmdlet
{
    /// <summary>Channel databases; wildcards allowed. Default: every configured channel database.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ChannelDatabaseId")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ChannelDatabaseNameCompleter))]
    public string[]? ChannelDatabase { get; set; }

    /// <summary>Only the channel databases of these data groups; wildcards allowed.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("DataGroupId")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(DataGroupNameCompleter))]
    public string[]? DataGroup { get; set; }

    /// <summary>Only channel databases in these states.</summary>
    [Parameter]
    [ValidateSet(nameof(ChannelHealthState.Healthy), nameof(ChannelHealthState.Behind), nameof(ChannelHealthState.Blocked),
        nameof(ChannelHealthState.Silent), nameof(ChannelHealthState.NeverConnected))]
    public string[]? State { get; set; }

    protected override void ProcessRecord()
    {
        var config = Context.Configuration;
        var groups = NameMatcher.Resolve(this, DataGroup, config.DataGroups.Select(g => g.Id), "Data group", "$.dataGroups", ErrorIds.DataGroupNotFound);
        var databases = NameMatcher.Resolve(this, ChannelDatabase, config.DataGroups.SelectMany(g => g.ChannelDatabases).Select(d => d.Id),
            "Channel database", "$.dataGroups[*].channelDatabases", ErrorIds.ChannelDatabaseNotFound);
        if (groups is { Count: 0 } || databases is { Count: 0 }) return;
        var browser = new ChannelHealthBrowser(Context);
        foreach (var row in Run(browser.GetAsync))
        {
            if (groups is not null && !groups.Contains(row.DataGroup, StringComparer.OrdinalIgnoreCase)) continue;
            if (databases is not null && !databases.Contains(row.ChannelDatabase, StringComparer.OrdinalIgnoreCase)) continue;
            if (State is not null && !State.Contains(row.State.ToString(), StringComparer.OrdinalIgnoreCase)) continue;
            WriteResult(row);
        }
    }
}
