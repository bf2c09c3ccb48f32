using AsyncServer.Diagnostics;

namespace AsyncServer.Data;

public enum DatabaseProvider { Sqlite, PostgreSql, SqlServer }

public static class DatabaseProviderNames
{
    public static bool TryParse(string? name, out DatabaseProvider provider)
    {
        switch ((name ?? "sqlite").Trim().ToLowerInvariant())
        {
            case "" or "sqlite": provider = DatabaseProvider.Sqlite; return true;
            case "postgresql" or "postgres" or "npgsql": provider = DatabaseProvider.PostgreSql; return true;
            case "sqlserver" or "mssql": provider = DatabaseProvider.SqlServer; return true;
            default: provider = default; return false;
        }
    }

    public static DatabaseProvider Parse(string? name, string where)
        => TryParse(name, out var p) ? p
            : throw new AsyncServerException(ErrorIds.UnknownProvider, ErrorKind.InvalidArgument,
                $"{where}: unknown provider '{name}'; use sqlite, postgresql or sqlserver.", name);
}
