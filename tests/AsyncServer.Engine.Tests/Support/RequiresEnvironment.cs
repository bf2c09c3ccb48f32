using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("AsyncServer.Tests.Support.RequiresEnvironmentFramework", "AsyncServer.Engine.Tests")]

namespace AsyncServer.Tests.Support;

/// <summary>
/// Every test of the class (its own and those it inherits, e.g. from a contract suite) is reported as skipped,
/// with <see cref="Reason"/>, unless the environment variable is set. The only skip the project accepts: SQL Server
/// tests when no server is named by ASYNCSERVER_TEST_SQLSERVER.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class RequiresEnvironmentAttribute(string variable, string reason) : Attribute
{
    public string Variable { get; } = variable;
    public string Reason { get; } = reason;
}

/// <summary>
/// xunit's own framework, with discovery that honours <see cref="RequiresEnvironmentAttribute"/>. A FactAttribute
/// subclass cannot do this for inherited contract tests (their attribute is the base class's [Fact]), so the skip
/// is decided per test class at discovery, and the test case is xunit's own skipped test case: the runner counts
/// it under "skipped" and prints the reason.
/// </summary>
public sealed class RequiresEnvironmentFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo)
        => new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    /// <summary>The skip reason for a test class, or null when it runs.</summary>
    public static string? SkipReason(ITypeInfo testClass)
    {
        var requirement = testClass.GetCustomAttributes(typeof(RequiresEnvironmentAttribute)).FirstOrDefault();
        if (requirement is null) return null;
        var args = requirement.GetConstructorArguments().ToList();
        var variable = (string)args[0];
        return string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable)) ? (string)args[1] : null;
    }

    private sealed class Discoverer(IAssemblyInfo assemblyInfo, ISourceInformationProvider sourceProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkDiscoverer(assemblyInfo, sourceProvider, diagnosticMessageSink)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus, ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            var reason = SkipReason(testMethod.TestClass.Class);
            if (reason is null) return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
            if (!testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).Any()) return true;
            var testCase = new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason);
            return ReportDiscoveredTestCase(testCase, includeSourceInformation, messageBus);
        }
    }
}
