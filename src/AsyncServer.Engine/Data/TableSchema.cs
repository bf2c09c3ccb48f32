namespace AsyncServer.Data;

/// <summary>A column as the database catalog describes it.</summary>
public sealed record ColumnSchema(string Name, LogicalType Type, string NativeType, bool Nullable, int KeyOrdinal)
{
    public bool IsKey => KeyOrdinal > 0;
}

/// <summary>A table as the database catalog describes it; names are as the catalog spells them.</summary>
public sealed record TableSchema(string Schema, string Name, IReadOnlyList<ColumnSchema> Columns)
{
    public ColumnSchema? Find(string column) =>
        Columns.FirstOrDefault(c => string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase));

    public IReadOnlyList<ColumnSchema> PrimaryKey => Columns.Where(c => c.IsKey).OrderBy(c => c.KeyOrdinal).ToList();

    public string DisplayName => string.IsNullOrEmpty(Schema) ? Name : $"{Schema}.{Name}";
}
