/**
 * The board toolbar: plain DOM buttons with translated labels and the
 * `data-testid` hooks listed under "Test hooks" in frontend/README.md.
 */
import type { Role } from './presence'

export type Translate = (key: string, vars?: Record<string, string | number>) => string

export type ToolName = 'pen' | 'highlighter' | 'eraser' | 'line' | 'arrow' | 'rectangle' | 'ellipse' | 'text' | 'select' | 'laser' | 'pan'

/** Tools that edit the document, disabled in read-only mode. */
export const EDITING_TOOLS: readonly ToolName[] = ['pen', 'highlighter', 'eraser', 'line', 'arrow', 'rectangle', 'ellipse', 'text', 'select']

/** Keyboard shortcut of each tool that has one. */
export const TOOL_SHORTCUTS: Partial<Record<ToolName, string>> = {
  pen: 'P',
  highlighter: 'H',
  eraser: 'E',
  line: 'L',
  arrow: 'A',
  rectangle: 'R',
  ellipse: 'O',
  text: 'T',
  select: 'V',
}

const TOOL_ICONS: Record<ToolName, string> = {
  pen: '✎',
  highlighter: '▍',
  eraser: '⌫',
  line: '╱',
  arrow: '↗',
  rectangle: '▭',
  ellipse: '◯',
  text: 'T',
  select: '⬚',
  laser: '✺',
  pan: '✥',
}

export const COLORS = ['#1f2937', '#dc2626', '#2563eb', '#16a34a', '#d97706', '#9333ea']

/** Width choices in board units with their label keys. */
export const WIDTHS: ReadonlyArray<{ value: number; key: string }> = [
  { value: 2, key: 'board.width.thin' },
  { value: 4, key: 'board.width.medium' },
  { value: 8, key: 'board.width.thick' },
  { value: 16, key: 'board.width.extraThick' },
]

export interface ToolbarHandlers {
  selectTool(tool: ToolName): void
  undo(): void
  redo(): void
  addPage(): void
  previousPage(): void
  nextPage(): void
  movePage(offset: -1 | 1): void
  zoomIn(): void
  zoomOut(): void
  zoomFit(): void
  toggleFollow(): void
  toggleCursors(): void
  setColor(color: string): void
  setWidth(width: number): void
  /** Uploads files picked with the insert button and puts them on the board. */
  insertFiles(files: File[]): void
}

export interface ToolbarState {
  tool: ToolName
  canDraw: boolean
  canUndo: boolean
  canRedo: boolean
  pageIndex: number
  pageCount: number
  /** Title of the current page, such as "Slide 3"; empty for an untitled page. */
  pageTitle: string
  /** Whether the insert button is offered: the participant may draw and the board can upload. */
  canInsert: boolean
  follow: boolean
  cursors: boolean
  color: string
  width: number
  zoom: number
}

export interface ToolbarOptions {
  /** Whether the toolbar shows its own "view only" notice while drawing is not allowed. */
  readOnlyNotice: boolean
}

export interface Toolbar {
  element: HTMLElement
  update(state: ToolbarState): void
  /** Replaces the translation function and relabels every control in place. */
  setTranslator(t: Translate): void
}

/** Builds a toolbar button whose icon is a text glyph or an SVG element, hidden from screen readers. */
function button(testId: string, icon: string | SVGElement, onClick: () => void): HTMLButtonElement {
  const element = document.createElement('button')
  element.type = 'button'
  element.className = 'lectern-board-button'
  element.dataset.testid = testId
  const glyph = document.createElement('span')
  glyph.setAttribute('aria-hidden', 'true')
  if (typeof icon === 'string') glyph.textContent = icon
  else glyph.append(icon)
  element.append(glyph)
  element.addEventListener('click', onClick)
  return element
}

const SVG_NS = 'http://www.w3.org/2000/svg'

/**
 * Builds the "add page" icon, a page with a plus sign, so the button does
 * not look like the "+" of zoom in.
 */
function pageAddIcon(): SVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('width', '18')
  svg.setAttribute('height', '18')
  svg.setAttribute('class', 'lectern-board-icon')
  for (const d of ['M6 3h8l4 4v14H6z', 'M14 3v4h4', 'M12 10v7M8.5 13.5h7']) {
    const path = document.createElementNS(SVG_NS, 'path')
    path.setAttribute('d', d)
    svg.append(path)
  }
  return svg
}

/** Builds the "insert picture" icon: a frame with a sun and a hill. */
function pictureIcon(): SVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('width', '18')
  svg.setAttribute('height', '18')
  svg.setAttribute('class', 'lectern-board-icon')
  for (const d of ['M3 5h18v14H3z', 'M3 17l5-5 4 4 3-3 6 6', 'M16 8.5a1.5 1.5 0 1 0 0.01 0']) {
    const path = document.createElementNS(SVG_NS, 'path')
    path.setAttribute('d', d)
    svg.append(path)
  }
  return svg
}

function group(): HTMLElement {
  const element = document.createElement('div')
  element.className = 'lectern-board-group'
  element.setAttribute('role', 'group')
  return element
}

/** Sets the accessible name and the tooltip, which defaults to the name. */
function setLabel(element: HTMLElement, label: string, title = label): void {
  element.setAttribute('aria-label', label)
  element.title = title
}

/** Number of toolbars built, for unique element ids. */
let toolbarCount = 0

/**
 * Builds the toolbar. The laser pointer is offered to lecturers only, the
 * follow toggle to students only. While drawing is not allowed, the
 * controls that edit the board are disabled and hidden, which leaves pan,
 * page navigation, zoom, cursors and follow.
 *
 * Every text comes from a labeller registered with `localize`, which runs
 * once now and again on setTranslator(), so a language switch relabels the
 * existing elements without rebuilding them or losing focus.
 */
export function createToolbar(
  initialTranslate: Translate,
  role: Role,
  handlers: ToolbarHandlers,
  options: ToolbarOptions = { readOnlyNotice: true },
): Toolbar {
  let t = initialTranslate
  const labellers: Array<() => void> = []
  const localize = (labeller: () => void): void => {
    labellers.push(labeller)
    labeller()
  }
  const withShortcut = (label: string, key: string): string => t('board.shortcut', { label, key })

  const root = document.createElement('div')
  root.className = 'lectern-board-toolbar'
  root.setAttribute('role', 'toolbar')
  localize(() => root.setAttribute('aria-label', t('board.toolbar')))

  // Tools.
  const tools = group()
  localize(() => tools.setAttribute('aria-label', t('board.groups.tools')))
  const toolButtons = new Map<ToolName, HTMLButtonElement>()
  const toolNames: ToolName[] = [...EDITING_TOOLS, 'pan']
  if (role === 'lecturer') toolNames.push('laser')
  for (const tool of toolNames) {
    const element = button(`tool-${tool}`, TOOL_ICONS[tool], () => handlers.selectTool(tool))
    localize(() => {
      const label = t(`board.tool.${tool}`)
      const shortcut = TOOL_SHORTCUTS[tool]
      setLabel(element, label, shortcut ? withShortcut(label, shortcut) : label)
    })
    element.setAttribute('aria-pressed', 'false')
    toolButtons.set(tool, element)
    tools.append(element)
  }

  // Style.
  const style = group()
  localize(() => style.setAttribute('aria-label', t('board.groups.style')))
  const color = document.createElement('input')
  color.type = 'color'
  color.className = 'lectern-board-color'
  color.dataset.testid = 'color-picker'
  localize(() => setLabel(color, t('board.color')))
  const colorListId = `lectern-board-colors-${++toolbarCount}`
  color.setAttribute('list', colorListId)
  color.addEventListener('input', () => handlers.setColor(color.value))
  const colorList = document.createElement('datalist')
  colorList.id = colorListId
  for (const value of COLORS) {
    const option = document.createElement('option')
    option.value = value
    colorList.append(option)
  }
  const width = document.createElement('select')
  width.className = 'lectern-board-select'
  width.dataset.testid = 'width-picker'
  localize(() => setLabel(width, t('board.width.label')))
  for (const choice of WIDTHS) {
    const option = document.createElement('option')
    option.value = String(choice.value)
    localize(() => {
      option.textContent = t(choice.key)
    })
    width.append(option)
  }
  width.addEventListener('change', () => handlers.setWidth(Number(width.value)))
  style.append(color, colorList, width)

  // History.
  const history = group()
  localize(() => history.setAttribute('aria-label', t('board.groups.history')))
  const undo = button('undo', '↶', handlers.undo)
  const redo = button('redo', '↷', handlers.redo)
  localize(() => {
    setLabel(undo, t('board.undo'), withShortcut(t('board.undo'), 'Ctrl+Z'))
    setLabel(redo, t('board.redo'), withShortcut(t('board.redo'), 'Ctrl+Shift+Z'))
  })
  history.append(undo, redo)

  // Insert: a button that opens the file picker of a hidden input.
  const insert = group()
  localize(() => insert.setAttribute('aria-label', t('board.groups.insert')))
  const fileInput = document.createElement('input')
  fileInput.type = 'file'
  fileInput.multiple = true
  fileInput.accept = 'image/*,video/*,application/pdf,.pdf'
  fileInput.hidden = true
  fileInput.tabIndex = -1
  fileInput.dataset.testid = 'media-file-input'
  localize(() => fileInput.setAttribute('aria-label', t('board.media.insert')))
  fileInput.addEventListener('change', () => {
    const files = Array.from(fileInput.files ?? [])
    // Clearing the value lets the same file be picked again.
    fileInput.value = ''
    if (files.length > 0) handlers.insertFiles(files)
  })
  const insertButton = button('media-insert', pictureIcon(), () => fileInput.click())
  localize(() => setLabel(insertButton, t('board.media.insert')))
  insert.append(insertButton, fileInput)

  // Pages.
  const pages = group()
  localize(() => pages.setAttribute('aria-label', t('board.groups.pages')))
  const previous = button('page-prev', '‹', handlers.previousPage)
  const indicator = document.createElement('span')
  indicator.className = 'lectern-board-indicator'
  indicator.dataset.testid = 'page-indicator'
  indicator.setAttribute('aria-live', 'polite')
  const next = button('page-next', '›', handlers.nextPage)
  const add = button('page-add', pageAddIcon(), handlers.addPage)
  const moveLeft = button('page-move-left', '⇤', () => handlers.movePage(-1))
  const moveRight = button('page-move-right', '⇥', () => handlers.movePage(1))
  localize(() => {
    setLabel(previous, t('board.page.previous'))
    setLabel(next, t('board.page.next'))
    setLabel(add, t('board.page.add'))
    setLabel(moveLeft, t('board.page.moveLeft'))
    setLabel(moveRight, t('board.page.moveRight'))
  })
  const pageTitle = document.createElement('span')
  pageTitle.className = 'lectern-board-indicator'
  pageTitle.dataset.testid = 'page-title'
  pages.append(previous, indicator, pageTitle, next, add, moveLeft, moveRight)

  // View.
  const view = group()
  localize(() => view.setAttribute('aria-label', t('board.groups.view')))
  const zoomOut = button('zoom-out', '−', handlers.zoomOut)
  const zoomLevel = document.createElement('span')
  zoomLevel.className = 'lectern-board-indicator'
  zoomLevel.dataset.testid = 'zoom-level'
  const zoomIn = button('zoom-in', '+', handlers.zoomIn)
  const zoomFit = button('zoom-fit', '⤢', handlers.zoomFit)
  const cursors = button('cursors-toggle', '⬉', handlers.toggleCursors)
  localize(() => {
    setLabel(zoomOut, t('board.zoom.out'), withShortcut(t('board.zoom.out'), '-'))
    setLabel(zoomIn, t('board.zoom.in'), withShortcut(t('board.zoom.in'), '+'))
    setLabel(zoomFit, t('board.zoom.fit'), withShortcut(t('board.zoom.fit'), '0'))
    setLabel(cursors, t('board.cursors'))
  })
  view.append(zoomOut, zoomLevel, zoomIn, zoomFit, cursors)
  let follow: HTMLButtonElement | null = null
  if (role === 'student') {
    const followButton = button('follow-toggle', '◎', handlers.toggleFollow)
    localize(() => setLabel(followButton, t('board.follow')))
    view.append(followButton)
    follow = followButton
  }

  const readOnly = document.createElement('span')
  readOnly.className = 'lectern-board-notice'
  readOnly.dataset.testid = 'board-read-only'
  readOnly.setAttribute('role', 'status')
  localize(() => {
    readOnly.textContent = t('board.readOnly')
  })

  root.append(tools, style, history, insert, pages, view, readOnly)

  // The page indicator and zoom level are texts too, so a language switch
  // repeats the last update.
  let lastState: ToolbarState | null = null

  const update = (state: ToolbarState): void => {
    lastState = state
    for (const [tool, element] of toolButtons) {
      element.setAttribute('aria-pressed', String(state.tool === tool))
      element.disabled = tool !== 'pan' && !state.canDraw
      element.hidden = element.disabled
    }
    style.hidden = !state.canDraw
    history.hidden = !state.canDraw
    color.disabled = !state.canDraw
    if (color.value !== state.color) color.value = state.color
    width.disabled = !state.canDraw
    if (width.value !== String(state.width)) width.value = String(state.width)
    undo.disabled = !state.canDraw || !state.canUndo
    redo.disabled = !state.canDraw || !state.canRedo
    insert.hidden = !state.canInsert
    insertButton.disabled = !state.canInsert
    fileInput.disabled = !state.canInsert

    indicator.textContent = t('board.page.indicator', { current: state.pageIndex + 1, total: state.pageCount })
    pageTitle.textContent = state.pageTitle
    pageTitle.hidden = state.pageTitle === ''
    previous.disabled = state.pageIndex <= 0
    next.disabled = state.pageIndex >= state.pageCount - 1
    add.disabled = !state.canDraw
    moveLeft.disabled = !state.canDraw || state.pageIndex <= 0
    moveRight.disabled = !state.canDraw || state.pageIndex >= state.pageCount - 1
    for (const element of [add, moveLeft, moveRight]) element.hidden = !state.canDraw

    zoomLevel.textContent = t('board.zoom.level', { percent: Math.round(state.zoom * 100) })
    cursors.setAttribute('aria-pressed', String(state.cursors))
    follow?.setAttribute('aria-pressed', String(state.follow))
    readOnly.hidden = state.canDraw || !options.readOnlyNotice
  }

  const setTranslator = (next: Translate): void => {
    t = next
    for (const labeller of labellers) labeller()
    if (lastState) update(lastState)
  }

  return { element: root, update, setTranslator }
}

/** Styles of the board, scoped by the `lectern-board-` class prefix. */
export const BOARD_CSS = `
.lectern-board { display: flex; flex-direction: column; width: 100%; height: 100%; min-height: 240px; font-family: system-ui, sans-serif; color: #111827; }
.lectern-board-toolbar { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; padding: 6px; background: #ffffff; border-bottom: 1px solid #d1d5db; }
.lectern-board-group { display: flex; flex-wrap: wrap; gap: 2px; align-items: center; }
.lectern-board-button { min-width: 32px; height: 32px; padding: 0 6px; border: 1px solid #6b7280; border-radius: 4px; background: #ffffff; color: #111827; font-size: 16px; cursor: pointer; }
.lectern-board-button[aria-pressed="true"] { background: #1e3a8a; border-color: #1e3a8a; color: #ffffff; }
.lectern-board-button:disabled { opacity: 0.45; cursor: not-allowed; }
.lectern-board-button:focus-visible, .lectern-board-select:focus-visible, .lectern-board-color:focus-visible { outline: 2px solid #1d4ed8; outline-offset: 1px; }
.lectern-board-color { width: 36px; height: 32px; padding: 2px; border: 1px solid #6b7280; border-radius: 4px; background: #ffffff; }
/* The padding and font are set here because the page's own select style would otherwise apply, and its padding clips the text in 32 px. */
.lectern-board-select { height: 32px; padding: 0 4px; border: 1px solid #6b7280; border-radius: 4px; background: #ffffff; color: #111827; font: 14px/1.2 system-ui, sans-serif; }
.lectern-board-select:disabled, .lectern-board-color:disabled { opacity: 0.45; cursor: not-allowed; }
.lectern-board-toolbar [hidden] { display: none !important; }
.lectern-board-button > span { display: inline-flex; align-items: center; justify-content: center; }
.lectern-board-icon { fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }
.lectern-board-indicator { min-width: 4em; text-align: center; font-size: 14px; color: #111827; }
.lectern-board-notice { font-size: 14px; color: #7c2d12; background: #ffedd5; padding: 4px 8px; border-radius: 4px; }
.lectern-board-notice[hidden] { display: none; }
.lectern-board-surface { position: relative; flex: 1; overflow: hidden; background: #ffffff; touch-action: none; user-select: none; outline: none; }
.lectern-board-surface canvas { position: absolute; inset: 0; width: 100%; height: 100%; display: block; }
.lectern-board-surface canvas + .lectern-board-media-layer + canvas { pointer-events: none; }
.lectern-board-media-layer { position: absolute; inset: 0; pointer-events: none; overflow: hidden; }
.lectern-board-video { position: absolute; transform-origin: 50% 50%; background: #111827; }
.lectern-board-video video { display: block; width: 100%; height: 100%; object-fit: contain; }
.lectern-board-video-join { position: absolute; inset: 0; margin: auto; width: max-content; height: 40px; padding: 0 16px; border: 0; border-radius: 20px; background: #1e3a8a; color: #ffffff; font: 15px system-ui, sans-serif; cursor: pointer; pointer-events: auto; }
.lectern-board-video-join[hidden], .lectern-board-upload[hidden] { display: none; }
.lectern-board-upload { position: absolute; box-sizing: border-box; display: flex; flex-direction: column; justify-content: center; gap: 8px; padding: 12px; border: 2px dashed #6b7280; background: rgba(243, 244, 246, 0.9); color: #111827; font-size: 14px; overflow: hidden; }
.lectern-board-upload-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.lectern-board-upload-track { display: block; height: 6px; border-radius: 3px; background: #d1d5db; }
.lectern-board-upload-bar { display: block; height: 100%; border-radius: 3px; background: #1d4ed8; }
.lectern-board-media-errors:empty { display: none; }
.lectern-board-media-errors { display: flex; flex-direction: column; gap: 4px; padding: 4px 6px; background: #ffffff; }
.lectern-board-media-error { display: flex; gap: 8px; align-items: center; padding: 4px 8px; border-radius: 4px; background: #fee2e2; color: #7f1d1d; font-size: 14px; }
.lectern-board-text-editor { position: absolute; margin: 0; padding: 0; border: 1px dashed #1d4ed8; background: transparent; resize: none; overflow: hidden; white-space: pre; outline: none; line-height: 1.25; transform-origin: 0 0; }
`
