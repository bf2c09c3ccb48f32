using System.Collections.ObjectModel;
using System.Globalization;

namespace AsyncServer.Scheduling;

/// <summary>
/// A read-only list that prints as its items joined by ", ". PowerShell turns a property into text with
/// ToString() (ConvertTo-Csv, Export-Csv, string expansion, a narrow table), and a List&lt;T&gt; there prints
/// as its type name. Scripts still get a list: indexing, -contains, foreach, Count.
/// </summary>
public sealed class PrintableList<T>(IList<T> items) : ReadOnlyCollection<T>(items)
{
    public override string ToString() => string.Join(", ", this.Select(i => Convert.ToString(i, CultureInfo.InvariantCulture)));
}
