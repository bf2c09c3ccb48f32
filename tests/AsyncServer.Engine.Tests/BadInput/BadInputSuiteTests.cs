using System.Collections;
using System.Reflection;
using Xunit.Abstractions;

namespace AsyncServer.Tests.BadInput;

/// <summary>
/// The standing bad-input suite (issue 12): every test class in this namespace feeds the engine hostile input
/// (corrupt, truncated, oversized and forged packages; hostile names and numbers in configurations; secrets in
/// every position of a connection string). This test counts the cases the suite tries and puts the count in its
/// display name, so the console log and the trx of every CI run show it ("Cases_tried(cases: N, ...)").
/// </summary>
public sealed class BadInputSuiteTests(ITestOutputHelper output)
{
    public static TheoryData<int, int> Count()
    {
        var (cases, tests) = CountCases();
        return new TheoryData<int, int> { { cases, tests } };
    }

    [Theory]
    [MemberData(nameof(Count))]
    public void Cases_tried(int cases, int tests)
    {
        output.WriteLine($"Bad-input suite: {cases} case(s) in {tests} test method(s).");
        // A floor, so a refactoring that silently drops the case lists fails here.
        Assert.True(cases >= 60, $"the bad-input suite tries only {cases} cases");
    }

    /// <summary>One per [Fact], one per [InlineData], one per row of a [MemberData] source, in this namespace.</summary>
    internal static (int Cases, int Tests) CountCases()
    {
        int cases = 0, tests = 0;
        var types = typeof(BadInputSuiteTests).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(BadInputSuiteTests).Namespace && t != typeof(BadInputSuiteTests));
        foreach (var type in types)
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            {
                var inline = method.GetCustomAttributes<InlineDataAttribute>().Count();
                var member = method.GetCustomAttributes<MemberDataAttribute>()
                    .Sum(m => RowsOf(m.MemberType ?? type, m.MemberName));
                var fact = method.GetCustomAttribute<FactAttribute>() is not null and not TheoryAttribute ? 1 : 0;
                if (inline + member + fact == 0) continue;
                tests++;
                cases += inline + member + fact;
            }
        return (cases, tests);
    }

    private static int RowsOf(Type type, string name)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.FlattenHierarchy;
        var value = type.GetProperty(name, all)?.GetValue(null) ?? type.GetField(name, all)?.GetValue(null)
            ?? type.GetMethod(name, all, Type.EmptyTypes)?.Invoke(null, null);
        return value is IEnumerable rows ? rows.Cast<object>().Count() : 0;
    }
}
