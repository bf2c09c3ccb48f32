using AsyncServer.Data;
using AsyncServer.Diagnostics;
using Microsoft.Data.SqlClient;

namespace AsyncServer.Providers.SqlServer;

/// <summary>
/// The before-image log of a filter's parent on SQL Server (ChangeTracking/ParentFilters). Native change tracking keeps
/// keys only, so a trigger logs, for every update and delete, the parent's key and the previous values of the columns
/// filters correlate with child columns. A trigger cannot know the change-tracking version its transaction will
/// commit under, so the log carries no version: a read takes every before-image of the parent keys CHANGETABLE reports
/// in its range (a superset, never a miss). The SQL text is in <see cref="SqlServerSql"/>.
/// </summary>
internal static class SqlServerBeforeImages
{
    public static async Task<IReadOnlySet<string>> ColumnsAsync(SqlConnection conn, SqlTransaction? tx, TableSchema parent, CancellationToken ct)
    {
        var result = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using var cmd = SqlServerConnections.Command(conn, SqlServerSql.BeforeImageColumns, tx, ("@log", SqlServerSql.BeforeImageTable(parent)));
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) result.Add(reader.GetString(0));
        result.Remove("__changed_at");
        return result;
    }

    /// <summary>Creates the log (or adds missing columns) and its trigger. True when the log is new or gained a column.</summary>
    public static async Task<bool> EnableAsync(SqlConnection conn, TableSchema parent, IReadOnlyList<string> columns, CancellationToken ct)
    {
        var wanted = columns.Select(c => parent.Find(c) ?? throw new AsyncServerException(ErrorIds.ColumnNotFound, ErrorKind.ObjectNotFound,
            $"column '{c}' does not exist in HQ table '{parent.DisplayName}' (a filter correlates it with a child column).", c)).ToList();
        var kept = await ColumnsAsync(conn, null, parent, ct).ConfigureAwait(false);
        var existed = kept.Count > 0;
        await SqlServerConnections.ExecuteAsync(
                conn, SqlServerSql.CreateBeforeImageTable(parent, wanted), ct, null, ("@log", SqlServerSql.BeforeImageTable(parent)))
            .ConfigureAwait(false);
        var added = existed ? wanted.Where(c => !c.IsKey && !kept.Contains(c.Name)).ToList() : [];
        foreach (var column in added)
            await SqlServerConnections.ExecuteAsync(conn, SqlServerSql.AddBeforeImageColumn(parent, column), ct).ConfigureAwait(false);
        var logged = (await ColumnsAsync(conn, null, parent, ct).ConfigureAwait(false)).Select(parent.Find).OfType<ColumnSchema>().ToList();
        await SqlServerConnections.ExecuteAsync(conn, SqlServerSql.BeforeImageTriggerDdl(parent, logged), ct).ConfigureAwait(false);
        return !existed || added.Count > 0;
    }
}
