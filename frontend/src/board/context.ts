/**
 * The state of one mounted board, shared by the modules that implement it.
 * `mountBoard` creates one `BoardContext`, and every module function takes it
 * as its first argument.
 */
import type { Awareness } from 'y-protocols/awareness'
import type * as Y from 'yjs'

import type { BoardElement, ElementKind, PageInfo } from './doc'
import type { BoardMedia } from './media/boardMedia'
import type { Point } from './points'
import type { LaserTrails, PeerState, Role } from './presence'
import type { Scene } from './scene'
import type { Toolbar, ToolName, Translate } from './toolbar'
import type { SurfaceSize, Viewport } from './viewport'

/** The pointer gesture in progress, with what each kind needs between events. */
export type Gesture =
  | { type: 'pan'; pointerId: number; lastX: number; lastY: number }
  | { type: 'stroke'; pointerId: number; id: string; originX: number; originY: number; pending: Point[]; last: Point }
  | { type: 'shape'; pointerId: number; id: string; kind: ElementKind; startX: number; startY: number }
  | { type: 'erase'; pointerId: number; lastX: number; lastY: number; erased: Set<string> }
  | { type: 'move'; pointerId: number; lastX: number; lastY: number; moved: boolean }
  | { type: 'resize'; pointerId: number; anchorX: number; anchorY: number; cornerX: number; cornerY: number; originals: BoardElement[] }
  | { type: 'box'; pointerId: number; startX: number; startY: number; endX: number; endY: number; additive: boolean }
  | { type: 'laser'; pointerId: number }

export interface TextEditor {
  id: string
  textarea: HTMLTextAreaElement
}

export interface BoardContext {
  readonly doc: Y.Doc
  readonly awareness: Awareness
  readonly participantId: string
  readonly role: Role
  /** Transaction origin of this client's edits, the only origin the undo manager tracks. */
  readonly localOrigin: { board: string }
  readonly undoManager: Y.UndoManager
  readonly scene: Scene
  readonly toolbar: Toolbar
  readonly surface: HTMLDivElement
  readonly baseCanvas: HTMLCanvasElement
  readonly overlayCanvas: HTMLCanvasElement
  readonly baseContext: CanvasRenderingContext2D | null
  readonly overlayContext: CanvasRenderingContext2D | null
  /** Paints one frame. `scheduleFrame` calls it on the next animation frame. */
  readonly renderFrame: () => void
  /** Pictures, videos and uploads; null when the board was mounted without media options. */
  readonly media: BoardMedia | null

  t: Translate
  canDraw: boolean
  tool: ToolName
  color: string
  width: number
  pages: PageInfo[]
  page: string
  viewport: Viewport
  size: SurfaceSize
  devicePixelRatio: number
  follow: boolean
  showCursors: boolean
  spaceHeld: boolean
  gesture: Gesture | null
  editor: TextEditor | null
  readonly selection: Set<string>
  readonly followListeners: Set<(follow: boolean) => void>
  readonly laserTrails: LaserTrails
  peers: PeerState[]

  // Frame scheduling: every change sets a flag and requests one frame.
  frameHandle: number | null
  baseDirty: boolean
  overlayDirty: boolean
  /** Awareness fields to publish with the next frame. */
  readonly pendingAwareness: Record<string, unknown>
}
