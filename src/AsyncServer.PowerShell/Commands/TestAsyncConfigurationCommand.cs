using System.Management.Automation;
using AsyncServer.Checks;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.PowerShell.Internal;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Reports every problem of a configuration file with its JSON path.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "AsyncConfiguration", HelpUri = HelpLinks.CmdletReference + "#test-asyncconfiguration")]
[OutputType(typeof(ConfigurationProblem), typeof(bool))]
public sealed class TestAsyncConfigurationCommand : AsyncServerCmdlet
{
    /// <summary>Only check the document itself, not the HQ catalog.</summary>
    [Parameter] public SwitchParameter SkipCatalog { get; set; }

    /// <summary>Return $true when there is no error, else $false.</summary>
    [Parameter] public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        IReadOnlyList<ConfigurationProblem> problems;
        var path = ResolvedConfigurationPath;
        try
        {
            var config = ConfigurationLoader.Load(path, ResolvedConfigurationOrigin);
            var context = EngineContext.Create(config, credential: Credential?.GetNetworkCredential());
            problems = Run(ct => ConfigurationValidator.ValidateAsync(context, !SkipCatalog, ct));
        }
        catch (AsyncServerException ex) when (ex.ErrorId is ErrorIds.ConfigurationSyntax)
        {
            problems = [new ConfigurationProblem(ex.Target as string ?? "$", ex.Message)];
        }
        catch (AsyncServerException ex) when (ex.ErrorId is ErrorIds.ConfigurationNotFound)
        {
            ThrowTerminatingError(ErrorMapping.ToErrorRecord(ex));
            return;
        }
        if (Quiet) { WriteObject(!problems.Any(p => p.Severity == ProblemSeverity.Error)); return; }
        foreach (var p in problems) WriteResult(p);
    }
}
