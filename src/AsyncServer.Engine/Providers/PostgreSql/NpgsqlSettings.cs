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
    internal static void Apply() => AppContext.SetSwitch("Npgsql.DisableDateTimeInfinityConversions", true);
}
