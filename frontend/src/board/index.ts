export { mountBoard, type BoardController, type BoardOptions } from './board'
