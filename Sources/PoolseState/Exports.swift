// An app that uses the models writes `import PoolseState` and gets the SDK's types too.
@_exported import Poolse
