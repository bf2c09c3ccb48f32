using System.Data.Common;
using AsyncServer.Diagnostics;

namespace AsyncServer.Service.Endpoint;

/// <summary>
/// Which failures of a request mean "the message database is unavailable just now" rather than "the server is broken":
/// a connection that could not be opened, a SQLite database locked by another writer, or a driver error its provider
/// calls transient (a dropped connection, an exhausted pool, a server shutting down). Those are answered 503 with
/// Retry-After, so stores and proxies wait and retry instead of reporting a server fault.
/// </summary>
internal static class UnavailableDatabase
{
    /// <summary>Seconds a store is asked to wait before it tries again.</summary>
    public const int RetryAfterSeconds = 30;

    public static bool Is(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is AsyncServerException { ErrorId: ErrorIds.ConnectionFailed or ErrorIds.DatabaseLocked }) return true;
            if (e is DbException { IsTransient: true }) return true;
        }
        return false;
    }
}
