using System.Text.RegularExpressions;

namespace AsyncServer.Providers.Sqlite;

/// <summary>
/// A column's declared type as it may appear in DDL we generate. SQLite keeps whatever text a CREATE TABLE
/// declared (a quoted name may hold ')', ';' or a newline), and the change-tracking side table copies the key
/// columns' types: pasted raw, a crafted type would end the statement and run its own. A plain type name
/// (words, optionally with one or two size numbers) is kept as declared; anything else becomes the keyword of
/// the same type affinity, so the side table compares keys exactly as the tracked table does.
/// </summary>
internal static partial class SqliteDeclaredType
{
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]*( [A-Za-z][A-Za-z0-9_]*)*( ?\( ?[+-]?[0-9]{1,10} ?(, ?[+-]?[0-9]{1,10} ?)?\))?$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainType();

    public static string ForDdl(string declared)
    {
        if (declared.Length == 0) return "";
        if (declared.Length <= 100 && PlainType().IsMatch(declared)) return declared;
        return Affinity(declared);
    }

    /// <summary>SQLite's affinity rules (section 3.1 of its datatype documentation), in their order.</summary>
    internal static string Affinity(string declared)
    {
        var upper = declared.ToUpperInvariant();
        // INT, not INTEGER: "INTEGER" on a sole primary key column would make it a rowid alias, which a
        // declared type that merely contains INT is not.
        if (upper.Contains("INT", StringComparison.Ordinal)) return "INT";
        if (upper.Contains("CHAR", StringComparison.Ordinal) || upper.Contains("CLOB", StringComparison.Ordinal)
            || upper.Contains("TEXT", StringComparison.Ordinal)) return "TEXT";
        if (upper.Contains("BLOB", StringComparison.Ordinal)) return "BLOB";
        if (upper.Contains("REAL", StringComparison.Ordinal) || upper.Contains("FLOA", StringComparison.Ordinal)
            || upper.Contains("DOUB", StringComparison.Ordinal)) return "REAL";
        return "NUMERIC";
    }
}
