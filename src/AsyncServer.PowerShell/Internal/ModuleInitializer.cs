using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace AsyncServer.PowerShell.Internal;

/// <summary>
/// Runs when the module is imported: when PowerShell's default context cannot find AsyncServer.Engine, we
/// hand it the copy loaded into our private context. Only the engine crosses over; its dependencies stay
/// private. In a development layout (engine beside this assembly, as in the in-process tests) there is no
/// deps folder and nothing needs to be done.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string EngineName = "AsyncServer.Engine";
    private static PrivateLoadContext? _context;

    public void OnImport()
    {
        var folder = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;
        var engine = Path.Combine(folder, "deps", EngineName + ".dll");
        if (!File.Exists(engine)) return;
        _context ??= new PrivateLoadContext(engine);
        AssemblyLoadContext.Default.Resolving += ResolveEngine;
    }

    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= ResolveEngine;

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name)
        => name.Name == EngineName && _context is not null ? _context.LoadFromAssemblyPath(_context.EngineAssemblyPath) : null;
}
