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
        var manifest = File.ReadAllText(PowerShellHost.RepositoryFile("module/AsyncServer.psd1"));
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

    /// <summary>Parameters that share a name but not a meaning: New-AsyncSampleEnvironment -Path is one folder, Publish-AsyncPackage -Path many packages.</summary>
    private static readonly string[] DifferentMeanings = ["Path"];

    [Fact]
    public void A_parameter_name_has_one_type_and_one_set_of_aliases_on_every_cmdlet()
    {
        var parameters = CmdletTypes
            .SelectMany(t => t.GetProperties().Select(p => (Cmdlet: t.Name, Property: p, Attribute: p.GetCustomAttributes<ParameterAttribute>().FirstOrDefault())))
            .Where(p => p.Attribute is not null && !DifferentMeanings.Contains(p.Property.Name))
            .GroupBy(p => p.Property.Name);
        foreach (var group in parameters)
        {
            var shapes = group.Select(p => (p.Cmdlet, Type: p.Property.PropertyType.Name,
                Aliases: string.Join(",", p.Property.GetCustomAttributes<AliasAttribute>().SelectMany(a => a.AliasNames).Order()))).ToList();
            var distinct = shapes.Select(s => (s.Type, s.Aliases)).Distinct().ToList();
            Assert.True(distinct.Count == 1, $"-{group.Key} differs: " + string.Join("; ", shapes.Select(s => $"{s.Cmdlet}: {s.Type} [{s.Aliases}]")));
        }
    }

    [Fact]
    public void Every_cmdlet_has_online_help_at_its_section_of_the_cmdlet_reference_under_the_manifests_ProjectUri()
    {
        var manifest = File.ReadAllText(PowerShellHost.RepositoryFile("module/AsyncServer.psd1"));
        var project = System.Text.RegularExpressions.Regex.Match(manifest, @"ProjectUri\s*=\s*'([^']+)'").Groups[1].Value;
        Assert.StartsWith("https://", project);
        Assert.Contains($"HelpInfoUri          = '{project}/", manifest);
        var reference = File.ReadAllText(PowerShellHost.RepositoryFile("docs/cmdlets.md"));
        foreach (var type in CmdletTypes)
        {
            var attribute = type.GetCustomAttribute<CmdletAttribute>()!;
            var name = $"{attribute.VerbName}-{attribute.NounName}";
            Assert.Equal($"{project}/blob/main/docs/cmdlets.md#{name.ToLowerInvariant()}", attribute.HelpUri);
            Assert.Contains($"\n## {name}\n", reference); // GitHub's anchor for the heading is the lower-cased name
        }
    }
}
