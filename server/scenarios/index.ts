// Public API of scenarios: load files, pick a variant by seed, run the timeline, player view.
export { ScenarioSchema, scenarioJsonSchema, type Scenario, type ScenarioInput, type Fault, type AnswerKey } from './schema.js';
export { loadScenarioText, loadScenarioFile, loadScenarioDir, formatProblem, SCENARIOS_DIR, type ScenarioProblem, type LoadResult, type ValidatedScenario, type ValidatedScenarios } from './load.js';
export { instantiate, drawFor, seedForVariant, pinInstance, solutionOf, forStack, stacksFor, type LoadedScenario, type Instance } from './variant.js';
export { startScenario, advance, injectFault, injectableFaults, fireDueFaults, type FaultOutcome } from './session.js';
export { evidenceChoiceId, evidenceLabels, lobbyEntry, lobbyOrder, playerView, type LobbyEntry, type PlayerScenarioView, type PlayerChoice } from './player-view.js';
export { evaluate, PredicateSchema, type Predicate } from './predicates.js';
export { recordBrokenRemediations, wasSeenBroken } from './remediation.js';
