using System.Management.Automation;
using System.Reflection;
using System.Xml.Linq;
using AsyncServer.PowerShell.Commands;

namespace AsyncServer.PowerShell.Tests;

/// <summary>House rules for the module that reflection can check: they keep holding as cmdlets are added.</summary>
public sealed class ModuleShapeTests
{
    private static readonly Assembly Cmdlets = typeof(StartAsyncDistributionCommand).Assembly;

    private static IEnumerable<Type> CmdletTypes => Cmdlets.GetTypes().Where(t => t.GetCustomAttribute<CmdletAttribute>() is not null);

    [Fact]
    public void Every_cmdlet_is_sealed_uses_an_approved_verb_and_is_exported()
    {
        var approved = typeof(VerbsCommon).Assembly.GetTypes()
            .Where(t => t.Name.StartsWith("Verbs", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)).Select(f => (string)f.GetValue(null)!).ToHashSet();
        var manifest = File.ReadAllText(PowerShellHost.RepositoryFile("AsyncServer.psd1"));
        Assert.NotEmpty(CmdletTypes);
        foreach (var type in CmdletTypes)
        {
            var attribute = type.GetCustomAttribute<CmdletAttribute>()!;
            Assert.True(type.IsSealed, $"{type.Name} must be sealed");
            Assert.Contains(attribute.VerbName, approved);
            Assert.Contains($"'{attribute.VerbName}-{attribute.NounName}'", manifest);
        }
    }

    [Fact]
    public void Every_output_type_has_a_format_view()
    {
        var format = XDocument.Load(PowerShellHost.RepositoryFile("module/AsyncServer.Format.ps1xml"));
        var viewed = format.Descendants("TypeName").Select(e => e.Value.Trim()).ToHashSet();
        foreach (var type in CmdletTypes)
            foreach (var output in type.GetCustomAttributes<OutputTypeAttribute>().SelectMany(a => a.Type))
            {
                if (output.Type is null || output.Type.Namespace?.StartsWith("AsyncServer", StringComparison.Ordinal) != true) continue;
                Assert.True(viewed.Contains(output.Type.FullName!), $"{type.Name} outputs {output.Type.FullName}, which has no view in AsyncServer.Format.ps1xml");
            }
    }

    [Fact]
    public void The_cmdlet_assembly_references_no_third_party_assembly_but_the_engine()
    {
        // Anything else would be loaded into PowerShell's default context and could clash with other modules.
        var references = Cmdlets.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        var foreign = references.Where(n => n != "AsyncServer.Engine" && n != "System.Management.Automation"
            && !n.StartsWith("System", StringComparison.Ordinal) && n != "netstandard" && n != "mscorlib" && !n.StartsWith("Microsoft.Win32", StringComparison.Ordinal)).ToList();
        Assert.True(foreign.Count == 0, "unexpected references: " + string.Join(", ", foreign));
    }

    [Fact]
    public void Cmdlets_that_change_things_support_ShouldProcess()
    {
        string[] readOnly = ["Get", "Test"];
        foreach (var type in CmdletTypes)
        {
            var attribute = type.GetCustomAttribute<CmdletAttribute>()!;
            if (readOnly.Contains(attribute.VerbName)) continue;
            Assert.True(attribute.SupportsShouldProcess, $"{attribute.VerbName}-{attribute.NounName} changes things and must support -WhatIf/-Confirm");
        }
    }
}
