namespace AsyncServer.Configuration;

public enum ProblemSeverity { Error, Warning }

/// <summary>One thing wrong with a configuration, located by its JSON path (for example <c>$.jobs[1].subjobs[0]</c>).</summary>
public sealed record ConfigurationProblem(string Path, string Message, ProblemSeverity Severity = ProblemSeverity.Error)
{
    public override string ToString() => $"{Path}: {Message}";
}
