// Public API of scoring.
export {
  scoreSession, evidenceInterest, evidenceObserved, observedBy, partialPoints, ROOT_CAUSE_POINTS, TIME_BONUS_POINTS,
  type ScoringInput, type ScoreBreakdown, type ScoreLine, type ScoreCategory, type ScoredCommand, type Diagnosis,
} from './score.js';
export { attributeDamage, structuralDamage, trafficDamage, type DamageItem } from './damage.js';
