namespace Predictions.Architecture.Tests;

/// <summary>
/// Which folders of a project use which: a namespace counts as the top folder it lies in
/// (<c>Predictions.Worker.Models.Onnx</c> is <c>Models</c>), and the project's root namespace as the root.
/// </summary>
public sealed class FolderGraph
{
    public const string Root = "(root)";

    private readonly Dictionary<string, Dictionary<string, NamespaceUse>> _edges = [];

    public FolderGraph(ProjectSource project)
    {
        foreach (var use in project.Uses)
        {
            if (FolderOf(project.RootNamespace, use.From) is { } from && FolderOf(project.RootNamespace, use.To) is { } to && from != to)
            {
                var targets = _edges.TryGetValue(from, out var found) ? found : _edges[from] = [];
                targets.TryAdd(to, use);
            }
        }
    }

    /// <summary>Every folder that uses another, with the first use found as the evidence.</summary>
    public IEnumerable<(string From, string To, NamespaceUse Use)> Edges =>
        _edges.SelectMany(from => from.Value.Select(to => (from.Key, to.Key, to.Value)));

    /// <summary>
    /// Each group of folders that reach each other: the shortest cycle through its first folder, and every use
    /// between its folders (each is on some cycle).
    /// </summary>
    public IReadOnlyList<(IReadOnlyList<string> Cycle, IReadOnlyList<NamespaceUse> Uses)> Cycles() =>
        [.. StronglyConnected().Where(group => group.Count > 1).Select(group => (
            (IReadOnlyList<string>)ShortestCycle(group.Min(StringComparer.Ordinal)!, group),
            (IReadOnlyList<NamespaceUse>)[.. Edges.Where(edge => group.Contains(edge.From) && group.Contains(edge.To)).Select(edge => edge.Use)]))];

    private static string? FolderOf(string root, string ns) =>
        ns == root ? Root : ns.StartsWith(root + ".", StringComparison.Ordinal) ? ns[(root.Length + 1)..].Split('.')[0] : null;

    private IEnumerable<string> Targets(string from) =>
        _edges.TryGetValue(from, out var targets) ? targets.Keys.Order(StringComparer.Ordinal) : [];

    // Breadth first from start back to start, staying in its group: the fewest folders that make the cycle.
    private List<string> ShortestCycle(string start, IReadOnlySet<string> group)
    {
        var cameFrom = new Dictionary<string, string>();
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var folder))
        {
            foreach (var next in Targets(folder).Where(group.Contains))
            {
                if (next == start)
                {
                    var path = new List<string> { start };
                    for (var step = folder; step != start; step = cameFrom[step])
                    {
                        path.Insert(1, step);
                    }

                    path.Add(start);
                    return path;
                }

                if (cameFrom.TryAdd(next, folder))
                {
                    queue.Enqueue(next);
                }
            }
        }

        throw new InvalidOperationException($"{start} is in a strongly connected group but on no cycle.");
    }

    // Tarjan's algorithm: the groups of folders that all reach each other.
    private List<HashSet<string>> StronglyConnected()
    {
        var index = new Dictionary<string, int>();
        var lowest = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var groups = new List<HashSet<string>>();

        void Visit(string folder)
        {
            index[folder] = lowest[folder] = index.Count;
            stack.Push(folder);
            foreach (var next in Targets(folder))
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    lowest[folder] = Math.Min(lowest[folder], lowest[next]);
                }
                else if (stack.Contains(next) && index.TryGetValue(next, out var reached))
                {
                    lowest[folder] = Math.Min(lowest[folder], reached);
                }
            }

            if (lowest[folder] == index[folder])
            {
                var group = new HashSet<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    group.Add(member);
                }
                while (member != folder);
                groups.Add(group);
            }
        }

        foreach (var folder in _edges.Keys.Order(StringComparer.Ordinal).Where(folder => !index.ContainsKey(folder)))
        {
            Visit(folder);
        }

        return groups;
    }
}
