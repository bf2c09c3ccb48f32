using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Filtering;

namespace AsyncServer.Tests.Configuration;

public sealed class FilterTests
{
    private static readonly TableSchema Items = new("", "ITEMS",
    [
        new ColumnSchema("DATAAREAID", LogicalType.String, "NVARCHAR(4)", false, 0),
        new ColumnSchema("QTY", LogicalType.Int64, "BIGINT", true, 0),
        new ColumnSchema("we]ird \"name", LogicalType.String, "TEXT", true, 0),
        new ColumnSchema("RECID", LogicalType.Int64, "BIGINT", false, 1),
    ]);

    private static readonly TableSchema Parent = new("dbo", "PARENT",
    [
        new ColumnSchema("CHILD", LogicalType.Int64, "BIGINT", false, 0),
        new ColumnSchema("DATAAREAID", LogicalType.String, "NVARCHAR(4)", false, 0),
    ]);

    [Theory]
    [InlineData("DATAAREAID = @DataAreaId", new[] { "DATAAREAID" }, new[] { "DataAreaId" })]
    [InlineData("(QTY > 5 OR QTY IS NULL) AND NOT DATAAREAID IN ('a', @B)", new[] { "QTY", "QTY", "DATAAREAID" }, new[] { "B" })]
    [InlineData("[we]]ird \"name] LIKE 'x%'", new[] { "we]ird \"name" }, new string[0])]
    [InlineData("EXISTS PARENT (CHILD = RECID AND DATAAREAID = @Da)", new[] { "RECID" }, new[] { "Da" })]
    public void Parses_columns_and_parameters(string text, string[] columns, string[] parameters)
    {
        var f = FilterParser.Parse(text);
        Assert.Equal(parameters, f.Parameters);
        Assert.Equal(columns, f.Columns);
    }

    [Theory]
    [InlineData("DATAAREAID =", "expected @parameter")]
    [InlineData("DATAAREAID = 'open", "unterminated string")]
    [InlineData("DATAAREAID = @DataAreaId; DROP TABLE X", "unexpected character ';'")]
    [InlineData("DATAAREAID @x", "expected a comparison")]
    [InlineData("(QTY = 1", "expected ')'")]
    [InlineData("QTY = 1 QTY", "unexpected 'QTY'")]
    public void Rejects_bad_filters_with_the_position(string text, string fragment)
    {
        var ex = Assert.Throws<AsyncServerException>(() => FilterParser.Parse(text));
        Assert.Equal(ErrorIds.FilterSyntax, ex.ErrorId);
        Assert.Contains(fragment, ex.Message);
        Assert.Contains("at character", ex.Message);
    }

    [Fact]
    public void Renders_quoted_identifiers_and_typed_parameters_for_each_dialect()
    {
        var f = FilterParser.Parse("DATAAREAID = @DataAreaId AND QTY >= '10' AND EXISTS PARENT (CHILD = RECID AND DATAAREAID = @DataAreaId)");
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["dataareaid"] = "usrt" };
        var sqlite = new FilterRenderer(SqlDialect.Sqlite, _ => Parent, values);
        // Aliases are quoted like every other identifier (the SQL Server tests check that no identifier is bare).
        Assert.Equal("((\"t\".\"DATAAREAID\" = @f0 AND \"t\".\"QTY\" >= @f1) AND EXISTS (SELECT 1 FROM \"dbo\".\"PARENT\" AS \"p0\" WHERE \"p0\".\"CHILD\" = \"t\".\"RECID\" AND \"p0\".\"DATAAREAID\" = @f2))",
            sqlite.Render(f, Items, "t"));
        Assert.Equal(["usrt", 10L, "usrt"], sqlite.Parameters.Select(p => p.Value));
        var sqlServer = new FilterRenderer(SqlDialect.SqlServer, _ => Parent, values);
        Assert.Contains("[dbo].[PARENT]", sqlServer.Render(f, Items, "t"));
        var weird = new FilterRenderer(SqlDialect.SqlServer, _ => Parent, values).Render(FilterParser.Parse("[we]]ird \"name] = 'x'"), Items, "t");
        Assert.Equal("[t].[we]]ird \"name] = @f0", weird);
    }

    [Fact]
    public void A_literal_that_does_not_fit_the_column_type_fails()
    {
        var f = FilterParser.Parse("QTY = 'many'");
        Assert.ThrowsAny<FormatException>(() => new FilterRenderer(SqlDialect.Sqlite, _ => Parent, new Dictionary<string, string>()).Render(f, Items, "t"));
    }
}
