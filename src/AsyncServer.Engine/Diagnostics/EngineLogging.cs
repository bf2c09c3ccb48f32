using Microsoft.Extensions.Logging;

namespace AsyncServer.Diagnostics;

/// <summary>Log levels the front ends understand without referencing Microsoft.Extensions.Logging.</summary>
public enum EngineLogLevel { Trace, Debug, Information, Warning, Error, Critical }

/// <summary>
/// Builds an <see cref="ILoggerFactory"/> whose single provider forwards every message to a callback.
/// The PowerShell module lives in another AssemblyLoadContext than the engine's logging assemblies, so
/// it cannot share ILogger types; it passes a plain delegate instead and routes messages to its streams.
/// </summary>
public static class EngineLogging
{
    public static ILoggerFactory ToCallback(Action<EngineLogLevel, string, string> sink, EngineLogLevel minimum = EngineLogLevel.Debug)
        => LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(Map(minimum));
            builder.AddProvider(new CallbackLoggerProvider(sink));
        });

    internal static LogLevel Map(EngineLogLevel level) => level switch
    {
        EngineLogLevel.Trace => LogLevel.Trace,
        EngineLogLevel.Debug => LogLevel.Debug,
        EngineLogLevel.Information => LogLevel.Information,
        EngineLogLevel.Warning => LogLevel.Warning,
        EngineLogLevel.Error => LogLevel.Error,
        _ => LogLevel.Critical,
    };

    internal static EngineLogLevel Map(LogLevel level) => level switch
    {
        LogLevel.Trace => EngineLogLevel.Trace,
        LogLevel.Debug => EngineLogLevel.Debug,
        LogLevel.Information => EngineLogLevel.Information,
        LogLevel.Warning => EngineLogLevel.Warning,
        LogLevel.Error => EngineLogLevel.Error,
        _ => EngineLogLevel.Critical,
    };

    private sealed class CallbackLoggerProvider(Action<EngineLogLevel, string, string> sink) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CallbackLogger(categoryName, sink);
        public void Dispose() { }
    }

    private sealed class CallbackLogger(string category, Action<EngineLogLevel, string, string> sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var text = formatter(state, exception);
            if (exception is not null) text += ": " + exception.Message;
            sink(Map(logLevel), category, text);
        }
    }
}
