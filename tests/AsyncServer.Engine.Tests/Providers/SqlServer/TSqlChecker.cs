using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace AsyncServer.Tests.SqlServer;

/// <summary>
/// Parses T-SQL with ScriptDom and reports what the provider's rules forbid. The rules:
/// <list type="bullet">
/// <item>No parse errors, for SQL Server 2016 (the oldest version docs/sqlserver.md supports) and the newest parser.</item>
/// <item>Every identifier is bracket-quoted. Exempt, because they are keywords of the language and never names from
/// a configuration or a catalog: built-in function names (OBJECT_ID, CHANGE_TRACKING_CURRENT_VERSION, ...), built-in
/// type names (int, nvarchar, ...) and variable names in DECLARE. CHANGETABLE and ALTER DATABASE CURRENT have no
/// identifier to quote. Our own aliases (t, ct, s, p0, ...) and generated column names (__upsert, SYS_CHANGE_VERSION)
/// are quoted like catalog names, so they need no exemption.</item>
/// <item>No literal carries a value: the only literals allowed are the constants 0 and 1, NULL, and sizes inside type
/// names (nvarchar(100)). String literals are reported separately, so the one statement that needs constant text
/// (dynamic ALTER DATABASE) can be checked on its own. The date part of DATEADD/DATEDIFF/DATEPART is a keyword, not a value.</item>
/// </list>
/// </summary>
public sealed class TSqlChecker
{
    public sealed record Report(
        IReadOnlyList<string> ParseErrors,
        IReadOnlyList<Identifier> Identifiers,
        IReadOnlyList<Identifier> UnquotedIdentifiers,
        IReadOnlyList<Literal> ValueLiterals,
        IReadOnlyList<string> StringLiterals,
        IReadOnlySet<string> Variables,
        IReadOnlySet<string> DeclaredVariables)
    {
        /// <summary>Variables the caller must bind as parameters.</summary>
        public IReadOnlySet<string> Parameters => Variables.Except(DeclaredVariables, StringComparer.OrdinalIgnoreCase).ToHashSet(StringComparer.OrdinalIgnoreCase);

        public IReadOnlySet<string> IdentifierValues => Identifiers.Select(i => i.Value).ToHashSet(StringComparer.Ordinal);
    }

    public static Report Check(string sql)
    {
        var errors = new List<string>();
        foreach (TSqlParser parser in new TSqlParser[] { new TSql130Parser(true), new TSql170Parser(true) })
        {
            using var reader = new StringReader(sql);
            parser.Parse(reader, out var parseErrors);
            errors.AddRange(parseErrors.Select(e => $"{parser.GetType().Name} line {e.Line}, column {e.Column}: {e.Message}"));
        }
        if (errors.Count > 0)
            return new Report(errors, [], [], [], [], new HashSet<string>(), new HashSet<string>());

        using var text = new StringReader(sql);
        var fragment = new TSql170Parser(true).Parse(text, out _);
        var visitor = new Collector();
        fragment.Accept(visitor);
        var identifiers = visitor.Identifiers.Where(i => !visitor.Exempt.Contains(i)).ToList();
        return new Report(
            [],
            identifiers,
            identifiers.Where(i => i.QuoteType != QuoteType.SquareBracket).ToList(),
            visitor.Literals.Where(l => !visitor.TypeSizes.Contains(l) && !IsConstant(l)).ToList(),
            visitor.Literals.OfType<StringLiteral>().Select(l => l.Value).ToList(),
            visitor.Variables,
            visitor.Declared);
    }

    private static bool IsConstant(Literal literal) => literal switch
    {
        IntegerLiteral i => i.Value is "0" or "1",
        NullLiteral => true,
        _ => false,
    };

    /// <summary>Text of an identifier as it appears in the SQL, for failure messages.</summary>
    public static string Show(Identifier i) => $"{i.Value} ({i.QuoteType}, line {i.StartLine})";

    private sealed class Collector : TSqlFragmentVisitor
    {
        public readonly List<Identifier> Identifiers = [];
        public readonly HashSet<Identifier> Exempt = new(ReferenceEqualityComparer.Instance);
        public readonly List<Literal> Literals = [];
        public readonly HashSet<Literal> TypeSizes = new(ReferenceEqualityComparer.Instance);
        public readonly HashSet<string> Variables = new(StringComparer.OrdinalIgnoreCase);
        public readonly HashSet<string> Declared = new(StringComparer.OrdinalIgnoreCase);

        public override void Visit(Identifier node) => Identifiers.Add(node);

        public override void Visit(Literal node) => Literals.Add(node);

        public override void Visit(FunctionCall node)
        {
            Exempt.Add(node.FunctionName);
            // DATEADD(MILLISECOND, ...): the date part is a keyword of the language that ScriptDom reads as a literal.
            if (node.FunctionName.Value.ToUpperInvariant() is "DATEADD" or "DATEDIFF" or "DATEPART" && node.Parameters.FirstOrDefault() is IdentifierLiteral part)
                TypeSizes.Add(part);
        }

        public override void Visit(SqlDataTypeReference node)
        {
            foreach (var part in node.Name.Identifiers) Exempt.Add(part);
            foreach (var size in node.Parameters) TypeSizes.Add(size);
        }

        public override void Visit(DeclareVariableElement node)
        {
            Exempt.Add(node.VariableName);
            Declared.Add(node.VariableName.Value);
        }

        public override void Visit(VariableReference node) => Variables.Add(node.Name);
    }
}
