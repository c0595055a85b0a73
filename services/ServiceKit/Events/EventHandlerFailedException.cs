namespace Synaxis.ServiceKit.Events;

/// <summary>
/// Wraps what a handler threw, to tell it apart from infrastructure failures around it: a handler
/// failure counts toward dead-lettering the entry, a database or Redis outage only backs off.
/// </summary>
internal sealed class EventHandlerFailedException(Exception inner)
    : Exception($"The event handler failed: {inner.Message}", inner);
