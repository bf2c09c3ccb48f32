using System.Text;
using AsyncServer.Diagnostics;

namespace AsyncServer.Filtering;

/// <summary>
/// Parses the small filter language of subjobs:
/// <code>
/// expr     := or
/// or       := and ( OR and )*
/// and      := unary ( AND unary )*
/// unary    := NOT unary | '(' expr ')' | EXISTS table '(' cond ( AND cond )* ')' | predicate
/// predicate:= column op operand | column [NOT] IN '(' operand (',' operand)* ')' | column IS [NOT] NULL
/// op       := = | &lt;&gt; | != | &lt; | &lt;= | &gt; | &gt;= | LIKE
/// operand  := @parameter | 'text' | number
/// </code>
/// Identifiers may be bare (letters, digits, _) or quoted with [..] or "..".
/// </summary>
public static class FilterParser
{
    public static FilterExpression Parse(string text)
    {
        var tokens = Tokenize(text);
        var parser = new Parser(tokens, text);
        var expr = parser.ParseOr();
        parser.ExpectEnd();
        return expr;
    }

    private enum Kind { Identifier, Parameter, String, Number, Symbol, End }

    private readonly record struct Token(Kind Kind, string Text, int Position)
    {
        public bool IsKeyword(string word) => Kind == Kind.Identifier && !Quoted && string.Equals(Text, word, StringComparison.OrdinalIgnoreCase);
        public bool Quoted { get; init; }
    }

    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase) { "AND", "OR", "NOT", "IN", "IS", "NULL", "EXISTS", "LIKE" };

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            var start = i;
            if (c == '@')
            {
                i++;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                if (i == start + 1) throw Error(text, start, "a parameter name must follow '@'");
                tokens.Add(new Token(Kind.Parameter, text[(start + 1)..i], start));
            }
            else if (c == '\'')
                tokens.Add(new Token(Kind.String, ReadDelimited(text, ref i, '\'', "unterminated string"), start));
            else if (c == '[' || c == '"')
            {
                var close = c == '[' ? ']' : '"';
                var name = ReadDelimited(text, ref i, close, $"unterminated quoted name (missing {close})");
                tokens.Add(new Token(Kind.Identifier, name, start) { Quoted = true });
            }
            else if (char.IsDigit(c) || (c == '-' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
            {
                i++;
                while (i < text.Length && (char.IsDigit(text[i]) || text[i] == '.')) i++;
                tokens.Add(new Token(Kind.Number, text[start..i], start));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                tokens.Add(new Token(Kind.Identifier, text[start..i], start));
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
                if (two is "<=" or ">=" or "<>" or "!=") { tokens.Add(new Token(Kind.Symbol, two, start)); i += 2; }
                else if ("=<>(),".Contains(c)) { tokens.Add(new Token(Kind.Symbol, c.ToString(), start)); i++; }
                else throw Error(text, start, $"unexpected character '{c}'");
            }
        }
        tokens.Add(new Token(Kind.End, "", text.Length));
        return tokens;
    }

    /// <summary>
    /// Reads a string or quoted name that starts at <paramref name="i"/> (its opening character) and ends with
    /// <paramref name="close"/>; leaves <paramref name="i"/> after the closing character. A doubled closing character
    /// stands for itself: 'it''s' is it's, [a]]b] is a]b, "a""b" is a"b.
    /// </summary>
    private static string ReadDelimited(string text, ref int i, char close, string unterminated)
    {
        var start = i;
        var sb = new StringBuilder();
        i++;
        while (true)
        {
            if (i >= text.Length) throw Error(text, start, unterminated);
            if (text[i] == close)
            {
                if (i + 1 < text.Length && text[i + 1] == close) { sb.Append(close); i += 2; continue; }
                i++;
                return sb.ToString();
            }
            sb.Append(text[i++]);
        }
    }

    private static AsyncServerException Error(string text, int position, string message)
        => new(ErrorIds.FilterSyntax, ErrorKind.InvalidArgument, $"filter '{text}', at character {position + 1}: {message}.", text);

    private sealed class Parser(List<Token> tokens, string text)
    {
        private int _pos;
        private Token Current => tokens[_pos];
        private Token Next() => tokens[_pos++];

        public void ExpectEnd()
        {
            if (Current.Kind != Kind.End) throw Error(text, Current.Position, $"unexpected '{Current.Text}'");
        }

        public FilterExpression ParseOr()
        {
            var left = ParseAnd();
            while (Current.IsKeyword("OR")) { Next(); left = new OrFilter(left, ParseAnd()); }
            return left;
        }

        private FilterExpression ParseAnd()
        {
            var left = ParseUnary();
            while (Current.IsKeyword("AND")) { Next(); left = new AndFilter(left, ParseUnary()); }
            return left;
        }

        private FilterExpression ParseUnary()
        {
            if (Current.IsKeyword("NOT")) { Next(); return new NotFilter(ParseUnary()); }
            if (Current is { Kind: Kind.Symbol, Text: "(" })
            {
                Next();
                var inner = ParseOr();
                ExpectSymbol(")");
                return inner;
            }
            if (Current.IsKeyword("EXISTS")) return ParseExists();
            return ParsePredicate();
        }

        private ExistsFilter ParseExists()
        {
            Next();
            var table = ExpectIdentifier("a parent table name after EXISTS");
            // Allow schema.table written as two identifiers separated by a dot is not supported: keep names simple.
            ExpectSymbol("(");
            var conditions = new List<ExistsCondition>();
            do
            {
                var parentColumn = ExpectIdentifier("a parent column");
                ExpectSymbol("=");
                if (Current.Kind == Kind.Identifier && !Keywords.Contains(Current.Text))
                    conditions.Add(new ExistsCondition(parentColumn, Next().Text, null));
                else
                    conditions.Add(new ExistsCondition(parentColumn, null, ParseOperand()));
            } while (Current.IsKeyword("AND") && Next().Kind == Kind.Identifier);
            ExpectSymbol(")");
            return new ExistsFilter(table, conditions);
        }

        private FilterExpression ParsePredicate()
        {
            var column = ExpectIdentifier("a column name");
            if (Current.IsKeyword("IS"))
            {
                Next();
                var negated = false;
                if (Current.IsKeyword("NOT")) { Next(); negated = true; }
                if (!Current.IsKeyword("NULL")) throw Error(text, Current.Position, "expected NULL after IS");
                Next();
                return new NullFilter(column, negated);
            }
            var notIn = false;
            if (Current.IsKeyword("NOT")) { Next(); notIn = true; if (!Current.IsKeyword("IN")) throw Error(text, Current.Position, "expected IN after NOT"); }
            if (Current.IsKeyword("IN"))
            {
                Next();
                ExpectSymbol("(");
                var values = new List<FilterOperand> { ParseOperand() };
                while (Current is { Kind: Kind.Symbol, Text: "," }) { Next(); values.Add(ParseOperand()); }
                ExpectSymbol(")");
                return new InFilter(column, values, notIn);
            }
            string op;
            if (Current.IsKeyword("LIKE")) { Next(); op = "LIKE"; }
            else if (Current.Kind == Kind.Symbol && Current.Text is "=" or "<>" or "!=" or "<" or "<=" or ">" or ">=")
                op = Next().Text == "!=" ? "<>" : tokens[_pos - 1].Text;
            else throw Error(text, Current.Position, $"expected a comparison after column '{column}'");
            return new ComparisonFilter(column, op, ParseOperand());
        }

        private FilterOperand ParseOperand()
        {
            var token = Next();
            return token.Kind switch
            {
                Kind.Parameter => new ParameterOperand(token.Text),
                Kind.String => new LiteralOperand(token.Text, false),
                Kind.Number => new LiteralOperand(token.Text, true),
                _ => throw Error(text, token.Position, "expected @parameter, 'text' or a number"),
            };
        }

        private string ExpectIdentifier(string what)
        {
            var token = Current;
            if (token.Kind != Kind.Identifier || (!token.Quoted && Keywords.Contains(token.Text)))
                throw Error(text, token.Position, $"expected {what}");
            Next();
            return token.Text;
        }

        private void ExpectSymbol(string symbol)
        {
            if (Current.Kind != Kind.Symbol || Current.Text != symbol)
                throw Error(text, Current.Position, $"expected '{symbol}'");
            Next();
        }
    }
}
