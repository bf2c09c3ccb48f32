using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// Process-wide Npgsql settings, applied when the engine assembly loads (before Npgsql reads them).
/// By default Npgsql turns DateTime.MinValue/MaxValue into -infinity/infinity; a package must carry
/// 0001-01-01 as that date, so the conversion is off (an infinite HQ timestamp then fails loudly instead).
/// </summary>
internal static class NpgsqlSettings
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The switch must be set before Npgsql first reads it, whichever engine entry point (cmdlet, service, test) loads the assembly.")]
    internal static void Apply() => AppContext.SetSwitch("Npgsql.DisableDateTimeInfinityConversions", true);
}
