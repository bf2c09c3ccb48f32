namespace AsyncServer.Data;

/// <summary>
/// How a provider quotes identifiers and names parameters. Every identifier that reaches SQL text goes
/// through <see cref="Quote"/> after it was checked against the catalog (architecture rule 6).
/// </summary>
public abstract class SqlDialect
{
    public abstract string Quote(string identifier);
    public virtual string ParameterPrefix => "@";

    public string Quote(QualifiedName name) => name.Schema is null ? Quote(name.Name) : $"{Quote(name.Schema)}.{Quote(name.Name)}";

    public static readonly SqlDialect Sqlite = new DoubleQuoteDialect();
    public static readonly SqlDialect PostgreSql = new DoubleQuoteDialect();
    public static readonly SqlDialect SqlServer = new BracketDialect();

    public static SqlDialect For(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => Sqlite,
        DatabaseProvider.PostgreSql => PostgreSql,
        _ => SqlServer,
    };

    private sealed class DoubleQuoteDialect : SqlDialect
    {
        public override string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
    }

    private sealed class BracketDialect : SqlDialect
    {
        public override string Quote(string identifier) => "[" + identifier.Replace("]", "]]") + "]";
    }
}
