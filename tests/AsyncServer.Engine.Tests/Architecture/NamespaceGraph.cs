using System.Reflection;
using System.Reflection.Emit;

namespace AsyncServer.Tests.Architecture;

/// <summary>
/// Which top-level namespaces of an assembly use which: every type's signatures (base type, interfaces,
/// fields, properties, parameters, return types, generic arguments) and every member its IL names (calls,
/// field accesses, type tokens), so a static call such as <c>DistributionRunner.PackageFileName</c> counts
/// too. Nested and compiler-generated types (lambdas, async state machines) count for their namespace.
/// </summary>
public static class NamespaceGraph
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>
    /// Edges between top-level namespaces under <paramref name="root"/> (<c>AsyncServer.Distribution.X</c> →
    /// <c>Distribution</c>). Types directly in the root namespace (the composition root, EngineContext) are
    /// left out: they wire every folder together by design.
    /// </summary>
    public static Dictionary<string, HashSet<string>> Build(Assembly assembly, string root)
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes())
        {
            if (TopLevel(type, root) is not { } from) continue;
            var edges = graph.TryGetValue(from, out var e) ? e : graph[from] = new HashSet<string>(StringComparer.Ordinal);
            foreach (var used in UsedTypes(type))
                if (TopLevel(used, root) is { } to && to != from) edges.Add(to);
        }
        return graph;
    }

    /// <summary>
    /// The types of the namespaces <paramref name="external"/> (a driver's, for example) that each top-level namespace under
    /// <paramref name="root"/> uses, seen the same way as <see cref="Build"/> sees uses.
    /// </summary>
    public static Dictionary<string, SortedSet<string>> ExternalUses(Assembly assembly, string root, IReadOnlyList<string> external)
    {
        var uses = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes())
        {
            if (TopLevel(type, root) is not { } from) continue;
            foreach (var used in UsedTypes(type))
                if (used.Namespace is { } ns && external.Any(x => ns == x || ns.StartsWith(x + ".", StringComparison.Ordinal)))
                    (uses.TryGetValue(from, out var set) ? set : uses[from] = new SortedSet<string>(StringComparer.Ordinal)).Add(used.FullName ?? used.Name);
        }
        return uses;
    }

    /// <summary>The cycles of a graph: each strongly connected component of more than one node, sorted.</summary>
    public static List<List<string>> Cycles(IReadOnlyDictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.TryGetValue(v, out var ws) ? ws : [])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            if (component.Count > 1) result.Add(component.Order(StringComparer.Ordinal).ToList());
        }
        foreach (var v in graph.Keys.Order(StringComparer.Ordinal))
            if (!index.ContainsKey(v)) Visit(v);
        return result;
    }

    /// <summary>One path of edges from <paramref name="from"/> back to itself, for a readable failure message.</summary>
    public static string DescribeCycle(IReadOnlyDictionary<string, HashSet<string>> graph, IReadOnlyList<string> component)
    {
        var members = component.ToHashSet();
        var path = new List<string> { component[0] };
        var seen = new HashSet<string> { component[0] };
        var at = component[0];
        while (true)
        {
            var next = graph[at].Where(members.Contains).Order(StringComparer.Ordinal).ToList();
            var back = next.FirstOrDefault(n => n == component[0]);
            if (back is not null) { path.Add(back); break; }
            var step = next.FirstOrDefault(n => !seen.Contains(n)) ?? next[0];
            path.Add(step);
            if (!seen.Add(step)) break;
            at = step;
        }
        return string.Join(" -> ", path);
    }

    private static string? TopLevel(Type? type, string root)
    {
        var ns = type?.Namespace;
        if (ns is null || !ns.StartsWith(root + ".", StringComparison.Ordinal)) return null;
        var rest = ns[(root.Length + 1)..];
        var dot = rest.IndexOf('.');
        return dot < 0 ? rest : rest[..dot];
    }

    private static IEnumerable<Type> UsedTypes(Type type)
    {
        var found = new List<Type>();
        void Add(Type? t)
        {
            if (t is null) return;
            if (t.HasElementType) { Add(t.GetElementType()); return; }
            found.Add(t);
            if (t.IsGenericType && !t.IsGenericTypeDefinition)
                foreach (var a in t.GetGenericArguments()) Add(a);
        }
        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var f in type.GetFields(All)) Add(f.FieldType);
        foreach (var p in type.GetProperties(All)) Add(p.PropertyType);
        foreach (var m in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (m is MethodInfo mi) Add(mi.ReturnType);
            foreach (var p in m.GetParameters()) Add(p.ParameterType);
            foreach (var used in TypesInBody(m)) Add(used);
        }
        return found;
    }

    /// <summary>The declaring types of every member and type token the method's IL names.</summary>
    private static IEnumerable<Type> TypesInBody(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var module = method.Module;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        foreach (var v in method.GetMethodBody()!.LocalVariables) yield return v.LocalType;
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, i);
                    Type? found = null;
                    try
                    {
                        var member = module.ResolveMember(token, typeArgs, methodArgs);
                        found = member as Type ?? member?.DeclaringType;
                    }
                    catch (ArgumentException) { }
                    if (found is not null) yield return found;
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                default:
                    i += OperandSize(op.OperandType);
                    break;
            }
        }
    }

    private static int OperandSize(OperandType type) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };
}
