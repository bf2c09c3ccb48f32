using System.Reflection;
using System.Runtime.Loader;

namespace AsyncServer.PowerShell.Internal;

/// <summary>
/// Loads the engine and its database libraries (Microsoft.Data.SqlClient, Npgsql, SQLite, logging) from the
/// module's deps folder into a context of their own, so a different version already loaded by another
/// module (SqlServer, dbatools) neither breaks us nor is broken by us. The engine's deps.json tells the
/// resolver where runtime-specific and native files are.
/// </summary>
internal sealed class PrivateLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;

    public PrivateLoadContext(string engineAssemblyPath) : base("AsyncServer", isCollectible: false)
    {
        EngineAssemblyPath = engineAssemblyPath;
        _resolver = new AssemblyDependencyResolver(engineAssemblyPath);
    }

    public string EngineAssemblyPath { get; }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Framework assemblies are not in deps.json: returning null defers them to the default context.
        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
