using System.Text;
using AsyncServer.Data;
using AsyncServer.Diagnostics;

namespace AsyncServer.Filtering;

/// <summary>A value bound to a query parameter, already converted to the column's type.</summary>
public sealed record BoundParameter(string Name, object? Value, LogicalType Type);

/// <summary>
/// Turns a parsed filter into provider SQL. Columns are looked up in the catalog schema (so the SQL uses
/// the catalog's spelling), quoted by the dialect, and every value becomes a parameter converted to the
/// type of the column it is compared with.
/// </summary>
public sealed class FilterRenderer
{
    private readonly SqlDialect _dialect;
    private readonly Func<string, TableSchema> _schemaOf;
    private readonly IReadOnlyDictionary<string, string> _parameterValues;
    private readonly List<BoundParameter> _parameters = [];
    private readonly string _prefix;
    private readonly Func<BoundParameter, string>? _reference;

    /// <param name="schemaOf">Catalog lookup for parent tables of EXISTS filters.</param>
    /// <param name="parameterValues">The data group's parameter values.</param>
    /// <param name="parameterPrefix">Prefix for generated parameter names, unique within one statement.</param>
    /// <param name="parameterReference">
    /// How the SQL refers to a bound value; by default the dialect's parameter marker. A statement that cannot take
    /// parameters (PostgreSQL's COPY) refers to where the caller put the value instead; the value never enters the text.
    /// </param>
    public FilterRenderer(SqlDialect dialect, Func<string, TableSchema> schemaOf, IReadOnlyDictionary<string, string> parameterValues,
        string parameterPrefix = "f", Func<BoundParameter, string>? parameterReference = null)
    {
        _dialect = dialect;
        _schemaOf = schemaOf;
        _parameterValues = parameterValues;
        _prefix = parameterPrefix;
        _reference = parameterReference;
    }

    public IReadOnlyList<BoundParameter> Parameters => _parameters;

    public string Render(FilterExpression filter, TableSchema table, string alias)
        => Render(filter, table, alias, 0);

    private string Render(FilterExpression filter, TableSchema table, string alias, int depth) => filter switch
    {
        AndFilter a => $"({Render(a.Left, table, alias, depth)} AND {Render(a.Right, table, alias, depth)})",
        OrFilter o => $"({Render(o.Left, table, alias, depth)} OR {Render(o.Right, table, alias, depth)})",
        NotFilter n => $"(NOT {Render(n.Inner, table, alias, depth)})",
        NullFilter n => $"{Column(table, alias, n.Column)} IS {(n.Negated ? "NOT " : "")}NULL",
        ComparisonFilter c => $"{Column(table, alias, c.Column)} {c.Operator} "
            + Bind(c.Operand, c.Operator == "LIKE" ? LogicalType.String : ColumnOf(table, c.Column).Type),
        InFilter i => $"{Column(table, alias, i.Column)} {(i.Negated ? "NOT IN" : "IN")} "
            + $"({string.Join(", ", i.Values.Select(v => Bind(v, ColumnOf(table, i.Column).Type)))})",
        ExistsFilter e => RenderExists(e, table, alias, depth),
        _ => throw new NotSupportedException(filter.GetType().Name),
    };

    private string RenderExists(ExistsFilter e, TableSchema table, string alias, int depth)
    {
        var parent = _schemaOf(e.ParentTable);
        var parentAlias = $"p{depth}";
        var sb = new StringBuilder();
        sb.Append("EXISTS (SELECT 1 FROM ").Append(_dialect.Quote(new QualifiedName(NullIfEmpty(parent.Schema), parent.Name)))
          .Append(" AS ").Append(_dialect.Quote(parentAlias)).Append(" WHERE ");
        for (var i = 0; i < e.Conditions.Count; i++)
        {
            var c = e.Conditions[i];
            if (i > 0) sb.Append(" AND ");
            var parentColumn = ColumnOf(parent, c.ParentColumn);
            sb.Append(Column(parent, parentAlias, c.ParentColumn)).Append(" = ");
            sb.Append(c.ChildColumn is not null ? Column(table, alias, c.ChildColumn) : Bind(c.Value!, parentColumn.Type));
        }
        return sb.Append(')').ToString();
    }

    private static string? NullIfEmpty(string s) => string.IsNullOrEmpty(s) ? null : s;

    // Aliases are quoted too, so that every identifier in the text went through the dialect (SQL Server tests check it).
    private string Column(TableSchema table, string alias, string column) => $"{_dialect.Quote(alias)}.{_dialect.Quote(ColumnOf(table, column).Name)}";

    private static ColumnSchema ColumnOf(TableSchema table, string column)
        => table.Find(column) ?? throw new AsyncServerException(ErrorIds.ColumnNotFound, ErrorKind.ObjectNotFound,
            $"filter column '{column}' does not exist in table {table.DisplayName}.", column);

    private string Bind(FilterOperand operand, LogicalType type)
    {
        string text = operand switch
        {
            ParameterOperand p => _parameterValues.TryGetValue(p.Name, out var v) ? v
                : throw new AsyncServerException(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidArgument,
                    $"filter parameter @{p.Name} has no value for this data group.", p.Name),
            LiteralOperand l => l.Text,
            _ => throw new NotSupportedException(),
        };
        var name = $"{_prefix}{_parameters.Count}";
        var parameter = new BoundParameter(name, ValueText.Parse(text, type), type);
        _parameters.Add(parameter);
        return _reference?.Invoke(parameter) ?? _dialect.ParameterPrefix + name;
    }
}
