namespace AsyncServer.Bench.Data;

/// <summary>
/// A deterministic set of HQ changes spread over the whole table: 80 % updates, 10 % inserts of new rows,
/// 10 % deletes, each touching a different row, so an incremental run delivers exactly <c>Count</c> keys.
/// </summary>
internal sealed record ChangePlan(IReadOnlyList<long> Updates, IReadOnlyList<long> Inserts, IReadOnlyList<long> Deletes)
{
    public int Count => Updates.Count + Inserts.Count + Deletes.Count;

    public static ChangePlan For(long tableRows, int changes)
    {
        var inserts = changes / 10;
        var deletes = changes / 10;
        var updates = changes - inserts - deletes;
        var rng = new Random(unchecked((int)(tableRows * 31 + changes)));
        var touched = new HashSet<long>();
        long Pick()
        {
            while (true)
            {
                var n = rng.NextInt64(1, tableRows + 1);
                if (touched.Add(n)) return n;
            }
        }
        var u = Enumerable.Range(0, updates).Select(_ => Pick()).ToList();
        var d = Enumerable.Range(0, deletes).Select(_ => Pick()).ToList();
        var i = Enumerable.Range(1, inserts).Select(k => tableRows + k).ToList();
        return new ChangePlan(u, i, d);
    }
}
