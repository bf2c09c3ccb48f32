namespace AsyncServer.Filtering;

/// <summary>
/// A subjob's row filter as a tree. Filters are parsed, never pasted into SQL: columns are checked against
/// the HQ catalog and quoted by the provider, and every value becomes a bound parameter.
/// </summary>
public abstract record FilterExpression
{
    /// <summary>Every column the filter reads.</summary>
    public abstract IEnumerable<string> Columns { get; }
    /// <summary>Every @parameter the filter names.</summary>
    public abstract IEnumerable<string> Parameters { get; }
}

public abstract record FilterOperand
{
    public virtual IEnumerable<string> Parameters => [];
}

public sealed record ParameterOperand(string Name) : FilterOperand
{
    public override IEnumerable<string> Parameters => [Name];
}

/// <summary>A literal written in the filter: a string or a number, kept as text.</summary>
public sealed record LiteralOperand(string Text, bool IsNumber) : FilterOperand;

public sealed record ComparisonFilter(string Column, string Operator, FilterOperand Operand) : FilterExpression
{
    public override IEnumerable<string> Columns => [Column];
    public override IEnumerable<string> Parameters => Operand.Parameters;
}

public sealed record InFilter(string Column, IReadOnlyList<FilterOperand> Values, bool Negated) : FilterExpression
{
    public override IEnumerable<string> Columns => [Column];
    public override IEnumerable<string> Parameters => Values.SelectMany(v => v.Parameters);
}

public sealed record NullFilter(string Column, bool Negated) : FilterExpression
{
    public override IEnumerable<string> Columns => [Column];
    public override IEnumerable<string> Parameters => [];
}

public sealed record AndFilter(FilterExpression Left, FilterExpression Right) : FilterExpression
{
    public override IEnumerable<string> Columns => Left.Columns.Concat(Right.Columns);
    public override IEnumerable<string> Parameters => Left.Parameters.Concat(Right.Parameters);
}

public sealed record OrFilter(FilterExpression Left, FilterExpression Right) : FilterExpression
{
    public override IEnumerable<string> Columns => Left.Columns.Concat(Right.Columns);
    public override IEnumerable<string> Parameters => Left.Parameters.Concat(Right.Parameters);
}

public sealed record NotFilter(FilterExpression Inner) : FilterExpression
{
    public override IEnumerable<string> Columns => Inner.Columns;
    public override IEnumerable<string> Parameters => Inner.Parameters;
}

/// <summary>
/// <c>EXISTS PARENT (PARENTCOL = COLUMN AND ...)</c>: keeps a row when a row of a parent table matches.
/// Inside the parentheses the left side names the parent's column and the right side may name a column of
/// the filtered table (written <c>COLUMN</c>), a parameter or a literal. This is how shared tables such as
/// ECORESPRODUCT are restricted through a filtered parent.
/// </summary>
public sealed record ExistsFilter(string ParentTable, IReadOnlyList<ExistsCondition> Conditions) : FilterExpression
{
    public override IEnumerable<string> Columns => Conditions.Where(c => c.ChildColumn is not null).Select(c => c.ChildColumn!);
    public override IEnumerable<string> Parameters => Conditions.SelectMany(c => c.Value?.Parameters ?? []);
}

/// <summary>One <c>PARENTCOL = x</c> inside an EXISTS: x is a child column or a value.</summary>
public sealed record ExistsCondition(string ParentColumn, string? ChildColumn, FilterOperand? Value);
