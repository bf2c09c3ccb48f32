namespace AsyncServer.Filtering;

/// <summary>Walks a parsed filter.</summary>
public static class FilterTree
{
    /// <summary>Every node of a filter, the root first (AND, OR and NOT nodes and the conditions under them).</summary>
    public static IEnumerable<FilterExpression> Flatten(FilterExpression e) => e switch
    {
        AndFilter a => Flatten(a.Left).Concat(Flatten(a.Right)).Prepend(e),
        OrFilter o => Flatten(o.Left).Concat(Flatten(o.Right)).Prepend(e),
        NotFilter n => Flatten(n.Inner).Prepend(e),
        _ => [e],
    };
}
