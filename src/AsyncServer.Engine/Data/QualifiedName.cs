namespace AsyncServer.Data;

/// <summary>A table name as written in configuration: <c>TABLE</c> or <c>schema.TABLE</c>.</summary>
public readonly record struct QualifiedName(string? Schema, string Name)
{
    public static QualifiedName Parse(string text)
    {
        var trimmed = text.Trim();
        var dot = trimmed.IndexOf('.');
        return dot > 0 ? new QualifiedName(trimmed[..dot], trimmed[(dot + 1)..]) : new QualifiedName(null, trimmed);
    }

    public override string ToString() => Schema is null ? Name : $"{Schema}.{Name}";
}
